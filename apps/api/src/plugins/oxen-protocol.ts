import type { FastifyInstance } from 'fastify';
import { failure, oxenVersion } from '../oxen-envelope.js';
import { toSluiceError } from '../to-sluice-error.js';
import { SluiceError } from '@sluice/core';
import type { StorageHealth } from '../storage-health.js';
import { drainBody } from '../drain-body.js';

/**
 * What every response of an Oxen server carries: the `oxen-version` header, the echoed or
 * generated `x-oxen-request-id`, and errors in the Oxen envelope (404 for unknown routes).
 */
export function oxenProtocol(app: FastifyInstance, storage: StorageHealth): void {
  app.addHook('onSend', async (request, reply) => {
    reply.header('oxen-version', oxenVersion);
    reply.header('x-oxen-request-id', request.id);
  });
  app.setErrorHandler(async (error, request, reply) => {
    const sluiceError = toSluiceError(error);
    const dependencyAway =
      sluiceError.code === 'redis_unavailable' ||
      sluiceError.code === 'store_unavailable' ||
      sluiceError.code === 'redis_full';
    // A dependency away fails every request until it is back: that is said once per outage
    // (the process's dependency warnings, /api/ready, the metrics), not once per request.
    if (sluiceError.status >= 500)
      request.log[dependencyAway ? 'debug' : 'error']({ code: sluiceError.code, err: error }, 'request failed');
    if (dependencyAway) reply.header('retry-after', '5');
    if (sluiceError.code === 'storage_full') {
      storage.noteFull();
      reply.header('retry-after', '30');
    }
    // an error answered before the body was read: a bounded rest is read first (drainBody)
    await drainBody(request.raw, reply);
    // a route that set up a download (an archive) and failed before its first byte answers JSON, not its file
    reply.removeHeader('content-disposition');
    reply.header('content-type', 'application/json; charset=utf-8');
    return reply.status(sluiceError.status).send(failure(sluiceError));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send(failure(new SluiceError('resource_not_found', `No route ${request.method} ${request.url}`)));
  });
}
