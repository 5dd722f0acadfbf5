import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '@sluice/core';

/** A connection to one Redis server or to a Redis Cluster: every key sluice uses is hash-tagged for either. */
export type RedisClient = Redis | Cluster;

/** ioredis options from a redis:// or rediss:// URL. */
export function redisUrlOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname,
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db,
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * A new connection to `target` with `options` on every server connection. For a cluster the
 * first URL's credentials and TLS apply to every node, and the URLs are only seeds: ioredis
 * discovers the other nodes and follows slot moves.
 */
export function connectRedis(target: RedisTarget, options: RedisOptions = {}): RedisClient {
  const [first, ...rest] = target.urls.map(redisUrlOptions);
  if (first === undefined) throw new Error('no Redis URL');
  if (!target.cluster) return new Redis({ ...first, ...options });
  const { host: _host, port: _port, db: _db, ...shared } = first;
  return new Cluster(
    [first, ...rest].map(({ host, port }) => ({ host: host ?? '127.0.0.1', port: port ?? 6379 })),
    {
      redisOptions: { ...shared, ...options },
      // A command waits through a failover instead of failing on the first MOVED or CLUSTERDOWN.
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 300,
    },
  );
}
