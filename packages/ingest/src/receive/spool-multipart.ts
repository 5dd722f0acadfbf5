import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { maxPathBytes, SluiceError, type Limits } from '@sluice/core';
import type { BlobStore } from '@sluice/storage';
import { ingestMetrics } from '@sluice/telemetry';
import { SpoolWriter, type EarlyStart } from './spool-writer.js';

/** Where a part goes, from its filename: the staged path, and the hash it must have if named. */
export type PartTarget = (filename: string) => { path: string; expectHash?: string };

/** One part of a multipart body as the HTTP layer parses it (@fastify/multipart's shape). */
export type IncomingPart =
  | { type: 'file'; fieldname: string; filename?: string | undefined; mimetype?: string; file: Readable }
  | { type: 'field'; fieldname: string };

export interface SpoolMultipartOptions {
  store: BlobStore;
  limits: Limits;
  target: PartTarget;
  /** Whether spool objects must survive a power cut (see SpoolWriter). */
  durable: boolean;
  early: EarlyStart;
}

/**
 * The longest filename a part may carry, in UTF-8 bytes: the path limit, checked before the part
 * is read. A longer one is refused whole, never staged cut short: the multipart parser itself
 * truncates headers past ~80 KiB, which this limit catches long before.
 */
const maxFilenameBytes = maxPathBytes;

function isGzip(mimetype: string | undefined): boolean {
  return (mimetype ?? '').split(';')[0]!.trim().toLowerCase() === 'application/gzip';
}

/**
 * Streams the `file[]`/`file` parts of a multipart request into the spool (docs/architecture.md#uploads: other
 * fields ignored, a file part without a filename fails the request). On any failure whatever was
 * spooled is removed before the error propagates.
 */
export async function spoolMultipart(
  parts: AsyncIterable<IncomingPart>,
  { store, limits, target, durable, early }: SpoolMultipartOptions,
): Promise<SpoolWriter> {
  const spool = new SpoolWriter(store, randomUUID(), limits.maxRequestBytes, durable, early);
  const endTimer = ingestMetrics.stageSeconds.startTimer({ stage: 'spool' });
  try {
    for await (const part of parts) {
      if (part.fieldname !== 'file[]' && part.fieldname !== 'file') {
        if (part.type === 'file') part.file.resume();
        continue;
      }
      // busboy makes a filename-less part a file when its Content-Type is not text; either way it has no name.
      if (part.type !== 'file' || typeof part.filename !== 'string') {
        throw new SluiceError('missing_filename', 'Missing hash in multipart request: a file part has no filename');
      }
      if (Buffer.byteLength(part.filename) > maxFilenameBytes) {
        throw new SluiceError(
          'name_too_long',
          `a part's filename is ${Buffer.byteLength(part.filename)} bytes; the limit is ${maxFilenameBytes}`,
        );
      }
      const { path, expectHash } = target(part.filename);
      await spool.add(path, isGzip(part.mimetype), part.file, expectHash);
    }
    await spool.finish();
    endTimer();
    ingestMetrics.stageBytes.inc({ stage: 'spool' }, spool.bytes);
  } catch (error) {
    await spool.discard();
    throw error;
  }
  return spool;
}
