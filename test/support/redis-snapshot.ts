import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';

type Reading = [error: Error | null, result: unknown];

/**
 * Every key whose name holds `prefix`, with a digest of its value: two snapshots are equal only
 * when no such key was added, removed or changed. For proving that a refused request changed nothing.
 * Pipelined (one round trip for the types, one for the values): the fuzzer takes two per request.
 * BullMQ's `stalled-check` keys are left out: its workers set them on a timer, whatever requests do.
 */
export async function redisSnapshot(url: string, prefix: string): Promise<Map<string, string>> {
  const redis = new Redis(url);
  try {
    const keys: string[] = [];
    for await (const batch of redis.scanStream({ match: `*${prefix}*`, count: 1000 })) {
      keys.push(...(batch as string[]).filter((key) => !key.endsWith(':stalled-check')));
    }
    keys.sort();
    const types = ((await keys.reduce((p, key) => p.type(key), redis.pipeline()).exec()) ?? []) as Reading[];
    const reads = redis.pipeline();
    keys.forEach((key, i) => {
      const type = types[i]?.[1];
      if (type === 'string') reads.get(key);
      else if (type === 'hash') reads.hgetall(key);
      else if (type === 'set') reads.smembers(key);
      else if (type === 'zset') reads.zrange(key, '0', '-1', 'WITHSCORES');
      else if (type === 'list') reads.lrange(key, 0, -1);
      else if (type === 'stream') reads.xlen(key);
      else reads.echo('');
    });
    const values = ((await reads.exec()) ?? []) as Reading[];
    const out = new Map<string, string>();
    keys.forEach((key, i) => {
      const type = types[i]?.[1];
      let value = values[i]?.[1];
      if (type === 'hash') value = Object.entries(value as Record<string, string>).sort();
      else if (type === 'set') value = (value as string[]).sort();
      else if (type !== 'string' && type !== 'zset' && type !== 'list' && type !== 'stream') value = undefined;
      // a key that expired between the scan and the reads
      if (type === 'none') return;
      out.set(
        key,
        `${String(type)}:${createHash('sha256')
          .update(JSON.stringify(value ?? null))
          .digest('hex')}`,
      );
    });
    return out;
  } finally {
    redis.disconnect();
  }
}
