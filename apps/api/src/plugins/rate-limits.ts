import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { callerIdentity } from '../auth/bearer-auth.js';

/**
 * Requests per window per verified token (per client IP without one), counted in Redis so the limit holds
 * across API nodes. Past it: 429 in the Oxen envelope with Retry-After and the RateLimit headers.
 * A Redis outage does not turn into 429s: those requests are answered 503 by the routes instead.
 * Probes opt out in their route's config (`rateLimit: false`).
 */
export async function rateLimits(app: FastifyInstance, { config, redis }: AppServices): Promise<void> {
  if (config.rateLimit.max === 0) return;
  // The verified caller (identifyCaller ran first), else the client's address: unauthenticated
  // and invalid-token requests share their IP's bucket, and an invented token buys no new one.
  const key = (request: FastifyRequest): string => {
    const identity = callerIdentity(request);
    return identity ? `token:${createHash('sha256').update(identity.name).digest('hex')}` : `ip:${request.ip}`;
  };
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowSeconds * 1000,
    redis,
    nameSpace: `${config.keyPrefix}:rate:`,
    skipOnError: true,
    enableDraftSpec: true,
    keyGenerator: key,
    errorResponseBuilder: (_request, context) =>
      new SluiceError('too_many_requests', `more than ${context.max} requests in ${config.rateLimit.windowSeconds} s; retry in ${context.after}`),
  });
}
