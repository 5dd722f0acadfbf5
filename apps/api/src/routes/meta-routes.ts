import type { FastifyInstance } from 'fastify';
import { SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { failure, minOxenClientVersion, oxenVersion, success } from '../oxen-envelope.js';

/** A readiness probe must answer in time, whatever a dependency does. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref())]);
}

export function metaRoutes(app: FastifyInstance, services: AppServices): void {
  app.get('/api/version', async () => success('resource_found', { version: oxenVersion }));
  app.get('/api/min_version', async () => success('resource_found', { version: minOxenClientVersion }));
  app.get('/api/health', async () => success('resource_found', { healthy: true }));

  /** Ready when Redis and the store both answer; load balancers stop sending traffic otherwise. */
  app.get('/api/ready', async (_request, reply) => {
    const checks = await Promise.allSettled([within(1000, services.redis.ping()), within(1000, services.store.ping())]);
    const [redis, store] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : 'unreachable'));
    if (redis === 'ok' && store === 'ok') return success('resource_found', { redis, store });
    const code = redis === 'ok' ? 'store_unavailable' : 'redis_unavailable';
    reply.header('retry-after', '5');
    return reply.status(503).send(failure(new SluiceError(code, `not ready: redis ${redis}, store ${store}`, { fields: { redis, store } })));
  });

  /** sluice extension: this process's object-store request counts (round trips per file). */
  app.get('/api/stats', async () => success('resource_found', { store_requests: services.storeCounts.snapshot() }));
}
