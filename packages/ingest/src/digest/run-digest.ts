import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { SluiceError, type Limits } from '@sluice/core';
import { digestPendingId, type DigestJobData } from '@sluice/queue';
import { ingestMetrics, timed } from '@sluice/telemetry';
import { ChunkFollower, type ChunkFollowerDeps } from './chunk-follower.js';
import type { DigestResult } from './digest-board.js';
import { streamContent } from './stream-part.js';

export interface DigestDeps extends ChunkFollowerDeps {
  limits: Limits;
  logger: Logger;
}

/**
 * The body of a digest job (its queue: @sluice/queue's digest-job.ts): reads a large part's spool
 * chunks as the API writes them, inflates and hashes them into a pending version object, and leaves
 * the result on the board.
 * Anything short of a whole part hashed, bad content included, is left for the ingest job to
 * redo with the whole part in hand, so both paths judge a part the same way.
 */
export async function runDigest(deps: DigestDeps, data: DigestJobData): Promise<void> {
  const { digestId, path, gzip } = data;
  const { board, store, limits, logger } = deps;
  // the ingest job came first and streams the part itself; otherwise the first beat comes within
  // a second, and an ingest job waiting meanwhile counts its patience from its own start
  if ((await board.claim(digestId, 'digest')) !== 'digest') return;
  logger.info({ digestId, path }, 'digest started on a part still arriving');
  const follower = new ChunkFollower(deps, digestId);
  let result: DigestResult;
  try {
    const file = await timed('stream', () =>
      streamContent(
        store,
        limits,
        Readable.from(follower.read(), { objectMode: false }),
        { path, gzip, compressedLength: () => follower.bytes },
        digestPendingId(digestId),
      ),
    );
    // The request may have failed while the last chunk was digested; its API then removes this
    // object too, but only if it was already in place, so look again now that it is.
    if ((await board.read(digestId)).aborted) {
      await store.delete([file.pendingKey]);
      throw new SluiceError('spool_missing', 'the upload failed before the part arrived whole');
    }
    ingestMetrics.stageBytes.inc({ stage: 'stream' }, file.size);
    result = { kind: 'file', ...file, bytes: follower.bytes };
  } catch (error) {
    result = { kind: 'fallback', reason: (error as Error).message };
    logger.info({ digestId, path, reason: result.reason }, 'digest stopped; the ingest job will stream the part');
  }
  await board.finish(digestId, result);
}
