import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { failure, oxenVersion } from '../oxen-envelope.js';
import { toSluiceError } from '../to-sluice-error.js';
import { SluiceError } from '@sluice/core';
import type { StorageHealth } from '../storage-health.js';

/** The most of an unread body thrown away to keep a connection: a resumable upload's part and then some. */
const drainLimitBytes = 32 * 1024 * 1024;

/**
 * An error answered before the body was read. A bounded rest is read and dropped, so the client
 * that writes its whole body before reading (Node's http, reqwest) gets the answer instead of a
 * broken pipe and the connection stays usable; anything larger or unbounded ends the connection
 * with the answer, since its rest cannot be told from the next request.
 */
function keepOrClose(body: IncomingMessage, reply: FastifyReply): void {
  const announced = Number(body.headers['content-length']);
  if (!body.destroyed && Number.isSafeInteger(announced) && announced <= drainLimitBytes) {
    body.unpipe();
    body.resume();
  } else {
    reply.header('connection', 'close');
  }
}

/**
 * What every response of an Oxen server carries: the `oxen-version` header, the echoed or
 * generated `x-oxen-request-id`, and errors in the Oxen envelope (404 for unknown routes).
 */
export function oxenProtocol(app: FastifyInstance, storage: StorageHealth): void {
  app.addHook('onSend', async (request, reply) => {
    reply.header('oxen-version', oxenVersion);
    reply.header('x-oxen-request-id', request.id);
  });
  app.setErrorHandler((error, request, reply) => {
    const sluiceError = toSluiceError(error);
    const dependencyAway = sluiceError.code === 'redis_unavailable' || sluiceError.code === 'store_unavailable' || sluiceError.code === 'redis_full';
    // A dependency away fails every request until it is back: that is said once per outage
    // (the process's dependency warnings, /api/ready, the metrics), not once per request.
    if (sluiceError.status >= 500) request.log[dependencyAway ? 'debug' : 'error']({ code: sluiceError.code, err: error }, 'request failed');
    if (dependencyAway) reply.header('retry-after', '5');
    if (sluiceError.code === 'storage_full') {
      storage.noteFull();
      reply.header('retry-after', '30');
    }
    if (!request.raw.complete) keepOrClose(request.raw, reply);
    void reply.status(sluiceError.status).send(failure(sluiceError));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(failure(new SluiceError('resource_not_found', `No route ${request.method} ${request.url}`)));
  });
}
