import type { Readable } from 'node:stream';
import type { BlobStore, PutOptions } from '@sluice/storage';

/**
 * A body the client sends as one object, as the HTTP layer hands it over: a stream that, when it
 * fails (cut short, too long, the request gone), holds why in `failure`, the reason to answer.
 */
export interface ReceivedBody extends Readable {
  readonly failure: Error | null;
}

/**
 * Writes a received body to `key`. On failure the body is let go of (the store may have stopped
 * reading without ending it), `undo` runs, and the body's own failure explains it best.
 */
export async function storeReceived(
  store: BlobStore,
  key: string,
  body: ReceivedBody,
  options: PutOptions | undefined,
  undo: () => Promise<void> = async () => undefined,
): Promise<void> {
  try {
    await store.put(key, body, options);
  } catch (error) {
    body.destroy();
    await undo();
    throw body.failure ?? error;
  }
}
