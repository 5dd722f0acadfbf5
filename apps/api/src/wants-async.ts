import type { FastifyRequest } from 'fastify';

/** The client asked for a 202 and a job to poll: `Prefer: respond-async` or `?async=true`. */
export function wantsAsync(request: FastifyRequest): boolean {
  const prefer = String(request.headers.prefer ?? '');
  return (
    (request.query as { async?: string } | undefined)?.async === 'true' ||
    /(^|[,;\s])respond-async($|[,;\s])/i.test(prefer)
  );
}
