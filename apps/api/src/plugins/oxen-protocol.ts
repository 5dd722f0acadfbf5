import type { FastifyInstance } from 'fastify';
import { failure, oxenVersion } from '../oxen-envelope.js';
import { toSluiceError } from '../to-sluice-error.js';
import { SluiceError } from '@sluice/core';

/**
 * What every response of an Oxen server carries: the `oxen-version` header, the echoed or
 * generated `x-oxen-request-id`, and errors in the Oxen envelope (404 for unknown routes).
 */
export function oxenProtocol(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    reply.header('oxen-version', oxenVersion);
    reply.header('x-oxen-request-id', request.id);
  });
  app.setErrorHandler((error, request, reply) => {
    const sluiceError = toSluiceError(error);
    if (sluiceError.status >= 500) request.log.error({ code: sluiceError.code, err: error }, 'request failed');
    if (sluiceError.code === 'redis_unavailable' || sluiceError.code === 'store_unavailable') reply.header('retry-after', '5');
    void reply.status(sluiceError.status).send(failure(sluiceError));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(failure(new SluiceError('resource_not_found', `No route ${request.method} ${request.url}`)));
  });
}
