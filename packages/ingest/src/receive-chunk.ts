import { chunkKey, type BlobStore } from '@sluice/storage';
import { storeReceived, type ReceivedBody } from './store-received.js';

/** Where a chunk of the chunked route goes: the file's hash and the chunk's offset in it. */
export interface ChunkTarget {
  namespace: string;
  repo: string;
  hash: string;
  offset: number;
}

/**
 * Stores one chunk of a file sent in chunks (PUT .../versions/{hash}/chunks) as it arrives, in
 * an object of its own outside the spool; the completion reads the chunks back in offset order.
 */
export async function receiveChunk(store: BlobStore, target: ChunkTarget, body: ReceivedBody): Promise<void> {
  const { namespace, repo, hash, offset } = target;
  await storeReceived(store, chunkKey(namespace, repo, hash, offset), body, undefined);
}
