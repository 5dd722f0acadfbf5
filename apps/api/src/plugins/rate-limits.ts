import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

type Limiter = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * Requests per window per verified token (per client IP without one), counted in Redis so the limit holds
 * across API nodes. Past it: 429 in the Oxen envelope with Retry-After and the RateLimit headers.
 * A Redis outage does not turn into 429s: those requests are answered 503 by the routes instead.
 * Liveness and version opt out in their route's config (`rateLimit: false`); probes that check a
 * token count only their refusals (`rateLimitRefusedOnly`).
 *
 * Reads of content (`rateClass: 'read'`: a file, a chunk, an entry, an archive, versions) count
 * in a bucket of their own per caller, SLUICE_READ_RATE_LIMIT a window: the stock client reads a
 * dataset one request per file (two with `meta`), so under the general limit a download was
 * refused past its 6,000th file in a minute, however cheap each read. One bucket for all read
 * routes (not one per route, as the plugin's route options would give).
 */
export async function rateLimits(app: FastifyInstance, { config, redis, tokens }: AppServices): Promise<void> {
  const { max, readMax, windowSeconds } = config.rateLimit;
  // 0 turns rate limiting off altogether, reads included (SLUICE_READ_RATE_LIMIT=0 only the read class's)
  if (max === 0) return;
  let readLimit: Limiter | null = null;
  // Before the plugin's own hook, which reads `config.rateLimit`: reads leave the general count
  // and take the read class's check, in the same place in the request (onRequest, before auth).
  app.addHook('onRoute', (route) => {
    if (route.config?.rateClass !== 'read') return;
    route.config = { ...route.config, rateLimit: false };
    if (readMax === 0) return;
    const check: Limiter = (request, reply) => readLimit!(request, reply);
    route.onRequest = [route.onRequest ?? []].flat().concat(check);
  });
  const refusedOnly = (request: FastifyRequest) => request.routeOptions.config.rateLimitRefusedOnly === true;
  await app.register(rateLimit, {
    global: true,
    max,
    timeWindow: windowSeconds * 1000,
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
      new SluiceError(
        'too_many_requests',
        `more than ${context.max} requests in ${windowSeconds} s; retry in ${context.after}`,
      ),
  });
  if (readMax > 0) {
    // the plugin's own limiter, keyed apart from the general bucket: same headers, same 429
    readLimit = app.rateLimit({
      max: readMax,
      keyGenerator: (request) => `read:${callerKey(request)}`,
      errorResponseBuilder: (_request, context) =>
        new SluiceError(
          'too_many_requests',
          `more than ${context.max} ` +
            `reads of content in ${windowSeconds} s (SLUICE_READ_RATE_LIMIT); retry in ${context.after}`,
        ),
    }) as Limiter;
  }
}
