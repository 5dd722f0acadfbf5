import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isLoopback, SluiceError, type Config } from '@sluice/core';
import { failure } from './oxen-envelope.js';

/** What a page may send cross-origin without asking first; the guard leaves these alone. */
const readMethods = new Set(['GET', 'HEAD', 'QUERY', 'OPTIONS']);

/** `host[:port]` as a URL of `protocol` spells it (lower-case, default port dropped); null when it is none. */
function hostOf(protocol: string, host: string): string | null {
  try {
    return new URL(`${protocol}//${host}`).host;
  } catch {
    return null;
  }
}

function hostNameOf(host: string): string | null {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return null;
  }
}

/**
 * Why a request is refused, or null. A browser sends simple requests (a multipart upload, JSON sent
 * as a form) cross-origin without a preflight, so with auth off any page the user visits could write
 * into their datasets; it always names that page in `Origin`, which stock clients never send. A page
 * on a rebinding DNS name reaches a loopback server as its own origin, but its `Host` names it.
 */
function refusal(request: FastifyRequest, config: Config): SluiceError | null {
  const host = (request.headers.host ?? '').toLowerCase();
  if (isLoopback(config.host) && !config.allowedHosts.includes(host)) {
    const name = hostNameOf(host);
    if (name === null || (!isLoopback(name) && !config.allowedHosts.includes(name))) {
      return new SluiceError(
        'host_refused',
        `Host ${JSON.stringify(host)} is not served here: this server is bound to ` +
          `${config.host} and answers loopback names (add others to SLUICE_ALLOWED_HOSTS)`,
      );
    }
  }
  const origin = request.headers.origin;
  if (origin === undefined || readMethods.has(request.method)) return null;
  let parsed: URL | null = null;
  try {
    parsed = new URL(origin);
  } catch {
    // `null` (a sandboxed page, a file) or garbage: no origin of ours
  }
  if (
    parsed !== null &&
    (config.allowedOrigins.includes(parsed.origin) || parsed.host === hostOf(parsed.protocol, host))
  ) {
    return null;
  }
  return new SluiceError(
    'origin_refused',
    `a ${request.method} from the page at ${JSON.stringify(origin)} is refused: ` +
      "only this server's own pages and SLUICE_ALLOWED_ORIGINS may change data from a browser",
  );
}

/** Refuses (403) cross-origin changes and, on a loopback bind, foreign Host names; first of all hooks. */
export function originGuard(app: FastifyInstance, config: Config): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const error = refusal(request, config);
    if (error === null) return;
    request.log.warn({ origin: request.headers.origin, host: request.headers.host }, error.message);
    return reply.status(error.status).send(failure(error));
  });
}
