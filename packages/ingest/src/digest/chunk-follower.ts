import type { BlobStore } from '@sluice/storage';
import { SluiceError } from '@sluice/core';
import type { BoardWaiter, DigestBoard } from './digest-board.js';

export interface ChunkFollowerDeps {
  store: BlobStore;
  board: DigestBoard;
  /** A part with no new chunk for this long is given up: the API node receiving it is gone. */
  stallMs: number;
}

/** How often a digest tells the ingest job it is alive (the job gives up on it after `digestStaleMs`). */
const beatMs = 1000;

/** A large part's spool chunks, read in order as the API lists them on the board. */
export class ChunkFollower {
  bytes = 0;
  private lastBeat = Date.now();

  constructor(
    private readonly deps: ChunkFollowerDeps,
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
