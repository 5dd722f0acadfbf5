import type { FastifyRequest } from 'fastify';
import { callerIdentity } from './bearer-auth.js';

/**
 * Who a request counts against, for the rate limits and the upload slots: its verified token
 * (by the token's hash: two tokens of one name in different namespaces are two callers), else
 * the client's address. An invalid token counts as its address, so an invented one buys nothing.
 */
export function callerKey(request: FastifyRequest): string {
  const identity = callerIdentity(request);
  return identity ? `token:${identity.sha256}` : `ip:${request.ip}`;
}
