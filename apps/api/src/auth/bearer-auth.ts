import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SluiceError } from '@sluice/core';
import { failure } from '../oxen-envelope.js';
import { allows, type Access, type Identity, type TokenStore } from './token-store.js';
import { specPath, swaggerUiPrefix } from '../openapi/openapi.js';
import { queueBoardPrefix } from '../routes/dashboard-routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Throws 403 unless the caller may act at `access` on `namespace`; a no-op when auth is off. */
    authorize(namespace: string | null, access: Access): void;
  }
}

/** The dashboard page holds no data: it asks for a token and reads /api/dashboard with it. */
const open = new Set(['/api/health', '/api/version', '/api/min_version', specPath, '/ui']);
/** What tells about every namespace at once: process statistics, metrics, the dashboards. */
const adminRoutes = new Set(['/api/stats', '/metrics', '/api/dashboard']);
const isAdminRoute = (url: string) => adminRoutes.has(url) || url.startsWith(queueBoardPrefix);

/**
 * Bearer tokens (SLUICE_AUTH=on): every route but health, version and the API document needs one; the namespace of
 * the route (or of the repository being created) must be in the token's scopes: read for GET,
 * write for changes, admin for the stats and metrics. 401 without a valid token, 403 without the scope.
 */
export function bearerAuth(app: FastifyInstance, tokens: TokenStore | null): void {
  app.decorateRequest('authorize', function (this: FastifyRequest & { identity?: Identity | null }, namespace: string | null, access: Access) {
    if (tokens === null) return;
    if (!this.identity || !allows(this.identity, namespace, access)) {
      throw new SluiceError('forbidden', `this token may not ${access} ${namespace === null ? 'here' : `namespace '${namespace}'`}`);
    }
  });
  if (tokens === null) return;
  app.addHook('preHandler', async (request: FastifyRequest & { identity?: Identity | null }, reply) => {
    const url = request.routeOptions.url ?? '';
    if (open.has(url) || url.startsWith(swaggerUiPrefix)) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    request.identity = match ? tokens.identify(match[1]!) : null;
    if (!request.identity) {
      reply.header('www-authenticate', 'Bearer');
      const error = new SluiceError('unauthorized', match ? 'the bearer token is not valid' : 'an Authorization: Bearer token is required');
      return reply.status(error.status).send(failure(error));
    }
    const params = request.params as { namespace?: string };
    const bodyNamespace = request.routeOptions.url === '/api/repos' ? (request.body as { namespace?: unknown } | undefined)?.namespace : undefined;
    const namespace = params.namespace ?? (typeof bodyNamespace === 'string' ? bodyNamespace : null);
    const access: Access = isAdminRoute(url) ? 'admin' : request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write';
    // Routes without a namespace (jobs) authorize in their handler, once they know it.
    if (namespace === null && access !== 'admin') return;
    try {
      request.authorize(namespace, access);
    } catch (error) {
      // Answered here, not thrown: plugins with their own error handler (bull-board) would turn it into a 500.
      return reply.status((error as SluiceError).status).send(failure(error as SluiceError));
    }
  });
}
