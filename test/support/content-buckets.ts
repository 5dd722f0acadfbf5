import { Cluster, type Redis } from 'ioredis';
import type { RedisClient, RedisKeys } from '@sluice/repository';

/** Every content bucket key under `keys`'s prefix, over every master of a cluster. */
export async function contentBucketKeys(redis: RedisClient, keys: RedisKeys): Promise<string[]> {
  const nodes: Redis[] = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const found: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', keys.contentBucketPattern(), 'COUNT', 1000);
      found.push(...batch);
      cursor = next;
    } while (cursor !== '0');
  }
  return found;
}

/** How many versions the content buckets hold a pack location for. */
export async function packedLocations(redis: RedisClient, keys: RedisKeys): Promise<number> {
  let count = 0;
  for (const key of await contentBucketKeys(redis, keys)) {
    count += (await redis.hvals(key)).filter((value) => value !== '').length;
  }
  return count;
}

/** Forgets every stored version and location, as a Redis that lost its data would. */
export async function dropContentBuckets(redis: RedisClient, keys: RedisKeys): Promise<void> {
  for (const key of await contentBucketKeys(redis, keys)) await redis.del(key);
}

/** Puts the content buckets' entries back in the layout before them: a set of stored hashes, a hash of locations. */
export async function toLegacyLayout(redis: RedisClient, keys: RedisKeys): Promise<void> {
  for (const key of await contentBucketKeys(redis, keys)) {
    const entries = Object.entries(await redis.hgetall(key));
    await redis.sadd(keys.legacyVersions(), ...entries.map(([hash]) => hash));
    const located = entries.filter(([, value]) => value !== '');
    if (located.length > 0) await redis.hset(keys.legacyPacked(), Object.fromEntries(located));
    await redis.del(key);
  }
}
