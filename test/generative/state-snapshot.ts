import { Redis } from 'ioredis';
import type { BlobStore } from '@sluice/storage';
import { redisSnapshot } from '../support/redis-snapshot.js';

/** What a request could change: every Redis key of the server's prefix and every stored object. */
export interface StateSnapshot {
  redis: Map<string, string>;
  objects: Map<string, string>;
  /** Keys with a time to live: their going is their expiry, not a request's doing. */
  expiring: Set<string>;
}

export async function takeSnapshot(redisUrl: string, prefix: string, store: BlobStore): Promise<StateSnapshot> {
  const redis = await redisSnapshot(redisUrl, prefix);
  const client = new Redis(redisUrl);
  const keys = [...redis.keys()];
  const ttls = await keys
    .reduce((p, key) => p.pttl(key), client.pipeline())
    .exec()
    .finally(() => client.disconnect());
  // -2: the key expired between the read above and this one (seed 20261204 met one): its going is no request's doing
  const expiring = new Set(keys.filter((_, i) => Number(ttls?.[i]?.[1]) > 0 || Number(ttls?.[i]?.[1]) === -2));
  const objects = new Map<string, string>();
  for await (const info of store.list('')) objects.set(info.key, `${info.size}@${info.lastModified.getTime()}`);
  return { redis, objects, expiring };
}

/** The differences, one line each (empty when nothing changed), for a failure message. */
export function snapshotDiff(before: StateSnapshot, after: StateSnapshot, limit = 12): string[] {
  const lines: string[] = [];
  for (const [label, a, b] of [
    ['redis', before.redis, after.redis],
    ['object', before.objects, after.objects],
  ] as const) {
    for (const [key, value] of b) {
      if (!a.has(key)) lines.push(`${label} added: ${key}`);
      else if (a.get(key) !== value) lines.push(`${label} changed: ${key}`);
    }
    for (const key of a.keys())
      if (!b.has(key) && !(label === 'redis' && before.expiring.has(key))) lines.push(`${label} removed: ${key}`);
  }
  return lines.length > limit ? [...lines.slice(0, limit), `… ${lines.length - limit} more`] : lines;
}
