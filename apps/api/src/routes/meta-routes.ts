import { SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import type { StorageHealth } from '../storage-health.js';
import { failure, minOxenClientVersion, oxenVersion, success } from '../oxen-envelope.js';
import type { TypedApp } from '../openapi/schema-kit.js';
import { version, minVersion, health, ready, stats } from './meta-routes.schema.js';

/** A readiness probe must answer in time, whatever a dependency does. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref()),
  ]);
}

export function metaRoutes(app: TypedApp, services: AppServices, storage: StorageHealth): void {
  // open to all and never rate limited: what a probe or a client's first contact asks
  const probe = { config: { access: 'open' as const, rateLimit: false as const } };
  app.get('/api/version', { schema: version, ...probe }, async (_request) =>
    success('resource_found', { version: oxenVersion }),
  );
  app.get('/api/min_version', { schema: minVersion, ...probe }, async (_request) =>
    success('resource_found', { version: minOxenClientVersion }),
  );
  app.get('/api/health', { schema: health, ...probe }, async (_request) =>
    success('resource_found', { healthy: true }),
  );

  /**
   * Ready when Redis and the store both answer and a worker serves the ingest queue (an upload
   * would wait for nothing otherwise); load balancers stop sending traffic until then.
   */
  app.get('/api/ready', { schema: ready, config: { rateLimitRefusedOnly: true } }, async (_request, reply) => {
    const checks = await Promise.allSettled([
      within(1000, services.redis.ping()),
      within(1000, services.store.ping()),
      within(1000, services.queue.getWorkersCount()),
    ]);
    const [redis, store] = checks.slice(0, 2).map((c) => (c.status === 'fulfilled' ? 'ok' : 'unreachable'));
    const workers = checks[2].status === 'fulfilled' ? (checks[2].value as number) : 0;
    const free = await within(1000, services.store.freeBytes()).catch(() => null);
    const room = (free !== null && free < services.config.minFreeBytes) || storage.recentlyFull() ? 'full' : 'ok';
    if (redis === 'ok' && store === 'ok' && room === 'ok' && workers > 0)
      return success('resource_found', { redis, store, room, free_bytes: free, workers });
    const code =
      redis !== 'ok'
        ? 'redis_unavailable'
        : store !== 'ok'
          ? 'store_unavailable'
          : room !== 'ok'
            ? 'storage_full'
            : 'no_workers';
    reply.header('retry-after', '5');
    const roomText =
      room === 'ok'
        ? 'room to write'
        : `full: ${free ?? '?'} bytes free, SLUICE_MIN_FREE_BYTES ${services.config.minFreeBytes}`;
    const message =
      `not ready: redis ${redis}, store ${store} (${roomText}), ` + `${workers} worker(s) on the ingest queue`;
    return reply
      .status(503)
      .send(failure(new SluiceError(code, message, { fields: { redis, store, room, free_bytes: free, workers } })));
  });

  /** sluice extension: this process's object-store request counts (round trips per file). */
  app.get('/api/stats', { schema: stats, config: { access: 'admin' } }, async (_request) =>
    success('resource_found', { store_requests: services.storeCounts.snapshot() }),
  );
}
