import type { FastifyInstance } from 'fastify';

/**
 * A route constraint for upstream's paths that put a fixed tail after a wildcard
 * (`branches/{branch_name:.*}/merge`), which the router cannot express: a route registered on
 * `…/*` with `constraints: { wildcardTail: '/merge' }` takes the requests whose path ends so, and
 * the route on the same URL without the constraint takes every other. As in upstream, the tail
 * wins: `PUT R/branches/x/merge` is the merge of branch `x`, never an update of `x/merge`.
 */
export function wildcardTail(app: FastifyInstance, tails: readonly string[]): void {
  app.addConstraintStrategy({
    name: 'wildcardTail',
    mustMatchWhenDerived: false,
    storage() {
      type Store = Parameters<ReturnType<Parameters<FastifyInstance['addConstraintStrategy']>[0]['storage']>['set']>[1];
      const handlers = new Map<string, Store>();
      return {
        get: (tail: string) => handlers.get(tail) ?? null,
        set: (tail: string, store: Store) => void handlers.set(tail, store),
      };
    },
    deriveConstraint(request) {
      const path = (request.url ?? '').split('?')[0]!;
      // no tail: no constraint derived, and the route without one takes the request
      return tails.find((tail) => path.endsWith(tail)) as string;
    },
  });
}
