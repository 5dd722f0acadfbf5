import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * Every key whose name holds `prefix`, with a digest of its value: two snapshots are equal only
 * when no such key was added, removed or changed. For proving that a refused request changed nothing.
 */
export async function redisSnapshot(url: string, prefix: string): Promise<Map<string, string>> {
  const redis = new Redis(url);
  try {
    const keys: string[] = [];
    for await (const batch of redis.scanStream({ match: `*${prefix}*`, count: 1000 })) keys.push(...(batch as string[]));
    const out = new Map<string, string>();
    for (const key of keys.sort()) {
      const type = await redis.type(key);
      let value: unknown;
      if (type === 'string') value = await redis.get(key);
      else if (type === 'hash') value = Object.entries(await redis.hgetall(key)).sort();
      else if (type === 'set') value = (await redis.smembers(key)).sort();
      else if (type === 'zset') value = await redis.zrange(key, 0, -1, 'WITHSCORES');
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else if (type === 'stream') value = await redis.xlen(key);
      out.set(key, `${type}:${createHash('sha256').update(JSON.stringify(value ?? null)).digest('hex')}`);
    }
    return out;
  } finally {
    redis.disconnect();
  }
}
