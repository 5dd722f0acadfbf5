import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { callerIdentity } from '../auth/bearer-auth.js';
import { callerKey } from '../auth/caller-key.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A probe (readiness, metrics): counted only when its caller is refused for want of a valid
     * token, so scrapes and checks never run dry, yet no route answers token guesses for free.
     */
    rateLimitRefusedOnly?: boolean;
    /** `read`: a read of content, counted in the read class of its own (SLUICE_READ_RATE_LIMIT). */
    rateClass?: 'read';
  }
}

/**
 * Requests per window per verified token (per client IP without one), counted in Redis so the limit holds
 * across API nodes. Past it: 429 in the Oxen envelope with Retry-After and the RateLimit headers.
 * A Redis outage does not turn into 429s: those requests are answered 503 by the routes instead.
 * Liveness and version opt out in their route's config (`rateLimit: false`); probes that check a
 * token count only their refusals (`rateLimitRefusedOnly`).
 */
export async function rateLimits(app: FastifyInstance, { config, redis, tokens }: AppServices): Promise<void> {
  if (config.rateLimit.max === 0) return;
  const refusedOnly = (request: FastifyRequest) => request.routeOptions.config.rateLimitRefusedOnly === true;
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowSeconds * 1000,
    redis,
    nameSpace: `${config.keyPrefix}:rate:`,
    skipOnError: true,
    enableDraftSpec: true,
    // The verified caller (identifyCaller ran first), else the client's address: unauthenticated
    // and invalid-token requests share their IP's bucket, and an invented token buys no new one.
    keyGenerator: callerKey,
    // not counted: a probe whose caller is let in (auth off, or a valid token)
    allowList: (request) => refusedOnly(request) && (tokens === null || callerIdentity(request) !== null),
    errorResponseBuilder: (_request, context) =>
      new SluiceError('too_many_requests', `more than ${context.max} requests in ${config.rateLimit.windowSeconds} s; retry in ${context.after}`),
  });
}
