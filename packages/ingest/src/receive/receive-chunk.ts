import { randomUUID } from 'node:crypto';
import type { RedisClient, RedisKeys } from '@sluice/repository';
import { chunkKey, type BlobStore } from '@sluice/storage';
import { storeReceived, type ReceivedBody } from './store-received.js';

export interface ChunkedUploadDeps {
  store: BlobStore;
  redis: RedisClient;
  keys: RedisKeys;
  /** How long the token of a file's latest chunk lives: longer than the chunks it names, swept after a grace. */
  chunkTokenSeconds: number;
}

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
 * A new token for the file says chunks came since any earlier completion (see chunkedFileJob).
 */
export async function receiveChunk(
  { store, redis, keys, chunkTokenSeconds }: ChunkedUploadDeps,
  target: ChunkTarget,
  body: ReceivedBody,
): Promise<void> {
  const { namespace, repo, hash, offset } = target;
  await storeReceived(store, chunkKey(namespace, repo, hash, offset), body, undefined);
  await redis.set(keys.chunkUpload(namespace, repo, hash), randomUUID(), 'EX', chunkTokenSeconds);
}
