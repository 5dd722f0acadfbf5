import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { createOxenHasher, errorCodeOf, sniffMime, SluiceError, type Limits, type SniffedType } from '@sluice/core';
import { pendingVersionKey, type BlobStore } from '@sluice/storage';
import type { SpooledPart } from '@sluice/queue';
import { inflateLimitError } from './inflate-limits.js';

export interface StreamedFile extends SniffedType {
  hash: string;
  size: number;
  /** Where the content waits until it is known whether the version store needs it. */
  pendingKey: string;
}

/**
 * Hashes, sniffs and enforces the inflate limits on the bytes passing through, so a large part
 * is never held whole in memory. Throws SluiceError with the limit's code when one is crossed.
 */
class ContentMeter extends Transform {
  size = 0;
  private head = Buffer.alloc(0);

  constructor(
    private readonly hasher: Awaited<ReturnType<typeof createOxenHasher>>,
    /** Compressed bytes read so far or in all: the inflate ratio is checked against it. */
    private readonly compressedLength: () => number,
    private readonly limits: Limits | null,
  ) {
    super();
    hasher.init();
  }

  get sniffHead(): Buffer {
    return this.head;
  }

  digest(): string {
    return this.hasher.digest();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.limits !== null) {
      const refused = inflateLimitError(this.size, this.compressedLength(), this.limits);
      if (refused) return done(refused);
    }
    if (this.head.length < 4096) this.head = Buffer.concat([this.head, chunk.subarray(0, 4096 - this.head.length)]);
    this.hasher.update(chunk);
    done(null, chunk);
  }
}

/**
 * How much gunzip inflates per call. Each slice is one trip to libuv's pool and back, one hash
 * update and one write: with small slices the trips between them left the inflate thread idle
 * (bench/README.md has the measurements).
 */
const inflateSliceBytes = 1024 * 1024;
/**
 * Inflated bytes that may wait for the disk. Writes into a fresh page cache stall now and then
 * (on a VM the host faults the pages in), and with little room gunzip stopped for each stall.
 */
const writeAheadBytes = 8 * 1024 * 1024;

/** Streams one spooled part through gunzip (when gzipped) and the meter into a pending object. */
export async function streamPart(store: BlobStore, limits: Limits, part: SpooledPart, pendingId: string): Promise<StreamedFile> {
  const source = part.chunks ? concatenated(store, part.chunks) : await store.getRange(part.spool, part.offset, part.length);
  return streamContent(store, limits, source, { path: part.path, gzip: part.gzip, compressedLength: () => part.length }, pendingId);
}

/**
 * Streams content through gunzip (when gzipped) and the meter into a pending object, failing with
 * the part's error code (corrupt_gzip, inflate_limit, inflate_ratio) or store_unavailable.
 * zlib inflates on libuv's thread pool; the event loop only hashes 1 MiB slices (~0.2 ms each).
 */
export async function streamContent(
  store: BlobStore, limits: Limits, source: Readable, part: { path: string; gzip: boolean; compressedLength: () => number }, pendingId: string,
): Promise<StreamedFile> {
  const meter = new ContentMeter(await createOxenHasher(), part.compressedLength, part.gzip ? limits : null);
  const pendingKey = pendingVersionKey(pendingId);
  const out = new PassThrough({ highWaterMark: writeAheadBytes });
  const stages = part.gzip ? [source, createGunzip({ chunkSize: inflateSliceBytes }), meter, out] : [source, meter, out];
  try {
    await Promise.all([pipeline(stages), store.put(pendingKey, out)]);
  } catch (error) {
    await store.delete([pendingKey]).catch(() => undefined);
    if (error instanceof SluiceError) throw error;
    if ((error as { code?: string }).code?.startsWith('Z_') || (error as Error).message?.includes('unexpected end of file')) {
      throw new SluiceError('corrupt_gzip', `corrupt gzip stream: ${(error as Error).message}`);
    }
    if (errorCodeOf(error) !== 'internal') throw error;
    throw new SluiceError('store_unavailable', `streaming ${part.path} failed: ${(error as Error).message}`, { cause: error });
  }
  return { hash: meter.digest(), size: meter.size, ...sniffMime(meter.sniffHead, part.path), pendingKey };
}

/** The objects of a chunked upload read one after the other as one stream. */
function concatenated(store: BlobStore, keys: readonly string[]): Readable {
  return Readable.from((async function* () {
    for (const key of keys) yield* await store.get(key);
  })());
}
