import type { Redis } from 'ioredis';

/** Redis's `used_memory` (INFO memory), bytes. */
export async function redisUsedBytes(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

/**
 * Bytes per member of one key: `MEMORY USAGE` estimated from 10,000 sampled members (SAMPLES 0,
 * every member, would block Redis for seconds on a key of millions), divided by `members`.
 */
export async function redisBytesPerMember(redis: Redis, key: string, members: number): Promise<number> {
  const bytes = (await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '10000')) as number | null;
  return (bytes ?? 0) / members;
}
