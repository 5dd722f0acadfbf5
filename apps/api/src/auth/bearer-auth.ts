import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SluiceError } from '@sluice/core';
import { failure } from '../oxen-envelope.js';
import { allows, type Access, type Identity, type TokenStore } from './token-store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Throws 403 unless the caller may act at `access` on `namespace`; a no-op when auth is off. */
    authorize(namespace: string | null, access: Access): void;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Who may call the route: `open` needs no token, `admin` an admin scope (what tells about
     * every namespace at once); by default read access to the route's namespace for GET and
     * HEAD, write access otherwise.
     */
    access?: 'open' | 'admin';
    /** The route names its namespace in its body, not its URL (repository creation): authorized once it is parsed. */
    namespaceInBody?: boolean;
  }
}

/** The access a route asks for, from its config (other projects' pages get theirs from foreign-pages.ts). */
function accessOf(request: FastifyRequest): 'open' | 'admin' | undefined {
  return (request.routeOptions.config as { access?: 'open' | 'admin' } | undefined)?.access;
}

type IdentifiedRequest = FastifyRequest & { identity?: Identity | null };

/** The verified identity behind a request, once identifyCaller has run: null for none or an invalid token. */
export function callerIdentity(request: FastifyRequest): Identity | null {
  return (request as IdentifiedRequest).identity ?? null;
}

/**
 * First of all hooks: who is calling, from the token alone (no body is read yet). Rate limits
 * key on this verified identity, so a made-up token buys no bucket of its own.
 */
export function identifyCaller(app: FastifyInstance, tokens: TokenStore | null): void {
  if (tokens === null) return;
  app.addHook('onRequest', async (request: IdentifiedRequest) => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    request.identity = match ? tokens.identify(match[1]!) : null;
  });
}

/**
 * Bearer tokens (SLUICE_AUTH=on): every route but health, version and the API document needs one; the namespace of
 * the route (or of the repository being created) must be in the token's scopes: read for GET,
 * HEAD and QUERY, write for changes, admin for the stats and metrics. 401 without a valid token,
 * answered before the body is read and after the rate limit (so guessing tokens is limited too);
 * 403 without the scope, before the body is read (repository creation: before it is validated).
 * Registered after the rate limits: its route hook must run after theirs.
 */
export function bearerAuth(app: FastifyInstance, tokens: TokenStore | null): void {
  app.decorateRequest('authorize', function (this: IdentifiedRequest, namespace: string | null, access: Access) {
    if (tokens === null) return;
    if (!this.identity || !allows(this.identity, namespace, access)) {
      throw new SluiceError(
        'forbidden',
        `this token may not ${access} ${namespace === null ? 'here' : `namespace '${namespace}'`}`,
      );
    }
  });
  if (tokens === null) return;
  const requireToken = async (request: IdentifiedRequest, reply: FastifyReply) => {
    if (request.identity || accessOf(request) === 'open') return;
    reply.header('www-authenticate', 'Bearer');
    const given = /^Bearer\s+\S+$/i.test(request.headers.authorization ?? '');
    const error = new SluiceError(
      'unauthorized',
      given ? 'the bearer token is not valid' : 'an Authorization: Bearer token is required',
    );
    return reply.status(error.status).send(failure(error));
  };
  // A route hook, so it runs after the rate limit's; the access is read per request, as a route's
  // config may be completed by hooks of its own scope that run after this one (foreign-pages.ts).
  app.addHook('onRoute', (route) => {
    route.onRequest = [route.onRequest ?? []].flat().concat(requireToken, authorizeTarget);
    route.preValidation = [route.preValidation ?? []].flat().concat(authorizeBodyTarget);
  });
}

/** Reads only (GET, HEAD, and QUERY, a GET with a body) need read access; every other method writes. */
function accessFor(request: FastifyRequest): Access {
  if (accessOf(request) === 'admin') return 'admin';
  return request.method === 'GET' || request.method === 'HEAD' || request.method === 'QUERY' ? 'read' : 'write';
}

const namesNamespaceInBody = (request: FastifyRequest) =>
  (request.routeOptions.config as { namespaceInBody?: boolean } | undefined)?.namespaceInBody === true;

function refuse(
  request: FastifyRequest,
  reply: FastifyReply,
  namespace: string | null,
  access: Access,
): FastifyReply | undefined {
  try {
    request.authorize(namespace, access);
    return undefined;
  } catch (error) {
    // Answered here, not thrown: plugins with their own error handler (bull-board) would turn it into a 500.
    return reply.status((error as SluiceError).status).send(failure(error as SluiceError));
  }
}

/**
 * 403 from the URL alone, before a byte of the body is read or validated: a caller without the
 * scope learns nothing from how its body would have been judged. Routes without a namespace
 * (jobs) authorize in their handler, once they know it.
 */
async function authorizeTarget(request: IdentifiedRequest, reply: FastifyReply) {
  if (accessOf(request) === 'open' || !request.identity) return;
  const access = accessFor(request);
  const namespace = (request.params as { namespace?: string }).namespace ?? null;
  if (namesNamespaceInBody(request)) {
    // the namespace is in the body, but a token that may write nowhere needs no body read to refuse
    if (Object.values(request.identity.scopes).some((level) => level !== 'read')) return;
    return refuse(request, reply, null, 'write');
  }
  if (namespace === null && access !== 'admin') return;
  return refuse(request, reply, namespace, access);
}

/** Repository creation: 403 once the body is parsed, before it is validated. */
async function authorizeBodyTarget(request: IdentifiedRequest, reply: FastifyReply) {
  if (!request.identity || !namesNamespaceInBody(request)) return;
  const body = request.body as { namespace?: unknown } | undefined;
  const namespace =
    body !== null && typeof body === 'object' && typeof body.namespace === 'string' ? body.namespace : null;
  // without a namespace there is nothing to refuse: validation names the missing field
  if (namespace === null) return;
  return refuse(request, reply, namespace, 'write');
}
