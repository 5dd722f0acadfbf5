import { Readable } from 'node:stream';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { SluiceError, type Limits } from '@sluice/core';
import type { BlobStore } from '@sluice/storage';
import type { BoardWaiter, DigestBoard, DigestResult } from '@sluice/repository';
import { digestPendingId, type DigestJobData } from '@sluice/queue';
import { streamContent } from '@sluice/ingest';
import { ingestMetrics, timed } from '@sluice/telemetry';

export interface DigestProcessorDeps {
  store: BlobStore;
  board: DigestBoard;
  limits: Limits;
  /** A part with no new chunk for this long is given up: the API node receiving it is gone. */
  stallMs: number;
  logger: Logger;
}

/** How often a digest tells the ingest job it is alive (the job gives up on it after `digestStaleMs`). */
const beatMs = 1000;

/**
 * Runs a digest job (digest-job.ts): reads a large part's spool chunks as the API writes them,
 * inflates and hashes them into a pending version object, and leaves the result on the board.
 * Anything short of a whole part hashed, bad content included, is left for the ingest job to
 * redo with the whole part in hand, so both paths judge a part the same way.
 */
export class DigestProcessor {
  constructor(private readonly deps: DigestProcessorDeps) {}

  async process(job: Job<DigestJobData>): Promise<void> {
    const { digestId, path, gzip } = job.data;
    const { board, store, limits, logger } = this.deps;
    // the ingest job came first and streams the part itself; otherwise the first beat comes within
    // a second, and an ingest job waiting meanwhile counts its patience from its own start
    if ((await board.claim(digestId, 'digest')) !== 'digest') return;
    logger.info({ digestId, path }, 'digest started on a part still arriving');
    const follower = new ChunkFollower(this.deps, digestId);
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
}

/** A large part's spool chunks, read in order as the API lists them on the board. */
class ChunkFollower {
  bytes = 0;
  private lastBeat = Date.now();

  constructor(
    private readonly deps: DigestProcessorDeps,
    private readonly digestId: string,
  ) {}

  async *read(): AsyncGenerator<Buffer> {
    // made at the first wait: a part already whole on the board needs no connection of its own
    let waiter: BoardWaiter | null = null;
    try {
      yield* this.follow(() => (waiter ??= this.deps.board.waiter(this.digestId, 'digest')));
    } finally {
      (waiter as BoardWaiter | null)?.close();
    }
  }

  private async *follow(waiter: () => BoardWaiter): AsyncGenerator<Buffer> {
    const { board, store, stallMs } = this.deps;
    let next = 0;
    let lastChunk = Date.now();
    for (;;) {
      const state = await board.read(this.digestId);
      if (state.aborted) throw new SluiceError('spool_missing', 'the upload failed before the part arrived whole');
      await this.beatIfDue();
      if (next < state.chunks.length) {
        // every chunk listed so far, before looking at the board again
        for (; next < state.chunks.length; next++) {
          for await (const piece of await store.get(state.chunks[next]!)) {
            this.bytes += (piece as Buffer).length;
            yield piece as Buffer;
            await this.beatIfDue(); // a chunk may take a while on a slow disk
          }
        }
        lastChunk = Date.now();
      } else if (state.ended) {
        return;
      } else if (Date.now() - lastChunk > stallMs) {
        throw new SluiceError(
          'spool_missing',
          `no new chunk for ${stallMs / 1000} s: the API node receiving the part is gone`,
        );
      } else {
        // woken by the next chunk, the end or the abort; back within a beat either way
        await waiter().wait(beatMs);
      }
    }
  }

  private async beatIfDue(): Promise<void> {
    if (Date.now() - this.lastBeat < beatMs) return;
    this.lastBeat = Date.now();
    await this.deps.board.beat(this.digestId);
  }
}
