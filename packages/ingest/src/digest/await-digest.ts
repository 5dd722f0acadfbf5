import type { BoardWaiter, DigestBoard } from './digest-board.js';
import type { BlobStore } from '@sluice/storage';
import type { StreamedFile } from './stream-part.js';

/** A digest that has not beaten for this long is taken for dead (its worker was killed). */
const digestStaleMs = 10_000;
/** The longest wait between looks at the board: the digest beats every second. */
const waitMs = 1000;

/**
 * What the ingest job gets from a large part's digest: the content, once the digest has hashed
 * exactly the part's `length` bytes; or null, and then the job streams the part itself, because
 * the digest never started (the job claims the part first), stopped, or stopped beating.
 */
export async function awaitDigest(
  board: DigestBoard,
  store: BlobStore,
  digestId: string,
  length: number,
): Promise<StreamedFile | null> {
  const since = Date.now();
  // made at the first wait: a digest that already finished needs no connection of its own
  let waiter: BoardWaiter | null = null;
  try {
    for (;;) {
      const state = await board.read(digestId);
      if (state.result !== null) {
        const { result } = state;
        if (result.kind !== 'file') return null;
        if (result.bytes !== length) {
          await store.delete([result.pendingKey]); // not this part's content after all: of no use
          return null;
        }
        const { kind: _kind, bytes: _bytes, ...file } = result;
        return file;
      }
      if (state.owner !== 'digest') {
        if ((await board.claim(digestId, 'ingest')) === 'ingest') return null;
        continue;
      }
      const quiet = Date.now() - Math.max(state.beat, since);
      if (quiet > digestStaleMs) return null;
      // woken by the result; otherwise back in time to see the digest stop beating
      waiter ??= board.waiter(digestId, 'ingest');
      await waiter.wait(Math.min(waitMs, digestStaleMs - quiet + 1));
    }
  } finally {
    waiter?.close();
  }
}
