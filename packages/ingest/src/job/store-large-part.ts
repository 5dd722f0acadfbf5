import { errorCodeOf, type Limits } from '@sluice/core';
import type { VersionIndex, VersionWriter } from '@sluice/repository';
import { isChunkedPart, type SpooledPart } from '@sluice/queue';
import type { BlobStore } from '@sluice/storage';
import { ingestMetrics, timed } from '@sluice/telemetry';
import { awaitDigest } from '../digest/await-digest.js';
import type { DigestBoard } from '../digest/digest-board.js';
import { hashMismatch, isFileError, spoolMissing, type FileOutcome } from './file-outcome.js';
import { streamPart, type StreamedFile } from '../digest/stream-part.js';

export interface StoreLargePartDeps {
  store: BlobStore;
  versions: VersionIndex;
  versionWriter: VersionWriter;
  /** Large parts hashed while they arrive: the digest jobs fill it, the ingest jobs read it. */
  digestBoard: DigestBoard;
  limits: Limits;
}

/**
 * Stores a part too large to read whole: its content, hashed into a pending object (`pendingId`),
 * is adopted as a version unless the store already holds it. Bad content or a vanished spool
 * fails the part alone; any other error fails the job.
 */
export async function storeLargePart(
  deps: StoreLargePartDeps,
  part: SpooledPart,
  pendingId: string,
): Promise<{ outcome: FileOutcome; deduplicated: boolean }> {
  try {
    const file = await largePartContent(deps, part, pendingId);
    if (part.expectHash !== undefined && file.hash !== part.expectHash) {
      await deps.store.delete([file.pendingKey]);
      return { outcome: hashMismatch(part.expectHash, file.hash), deduplicated: false };
    }
    const missing = await deps.versions.missing([file.hash]);
    if (missing.size > 0) {
      await deps.versionWriter.adoptStreamed(file);
      await deps.versions.markStored([file.hash]);
    } else {
      await deps.store.delete([file.pendingKey]);
      ingestMetrics.deduplicatedBytes.inc(file.size);
    }
    const outcome = { hash: file.hash, size: file.size, mimeType: file.mimeType, dataType: file.dataType };
    return { outcome, deduplicated: missing.size === 0 };
  } catch (error) {
    if (errorCodeOf(error) === 'resource_not_found')
      return { outcome: spoolMissing(isChunkedPart(part) ? part.chunks[0]! : part.spool), deduplicated: false };
    if (isFileError(error))
      return { outcome: { error: { code: error.code, message: error.message } }, deduplicated: false };
    throw error;
  }
}

/**
 * A large part's content in a pending object: its digest's, when one started on the part while
 * it arrived and finished, or else streamed from the spool now.
 */
async function largePartContent(deps: StoreLargePartDeps, part: SpooledPart, pendingId: string): Promise<StreamedFile> {
  if (part.digest !== undefined) {
    const early = await awaitDigest(deps.digestBoard, deps.store, part.digest, part.length ?? 0);
    ingestMetrics.digests.inc({ result: early === null ? 'streamed_again' : 'used' });
    if (early !== null) return early;
  }
  const file = await timed('stream', () => streamPart(deps.store, deps.limits, part, pendingId));
  ingestMetrics.stageBytes.inc({ stage: 'stream' }, file.size);
  return file;
}
