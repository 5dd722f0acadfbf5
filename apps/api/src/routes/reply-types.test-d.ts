/**
 * Type-level test, compiled by `npm run build` / `npm run typecheck` (never run): handlers' answers
 * are checked against their route's response schema. Each `@ts-expect-error` below must meet an
 * error, so an answer the compiler stops checking fails the build.
 */
import { Type } from 'typebox';
import { success } from '../oxen-envelope.js';
import { count, notFound, ok, type Answer, type RouteSchema, type TypedApp } from '../openapi/schema-kit.js';
import { showBranch } from './branch-routes.schema.js';

const sample = {
  operationId: 'sample',
  summary: 'a route for the type test',
  tags: [],
  response: { 200: ok({ name: Type.String(), size: count }), 202: ok({ job: Type.String() }), 404: notFound },
} satisfies RouteSchema;

export function replyTypes(app: TypedApp): void {
  app.get('/declared', { schema: sample }, async (_request) => success('resource_found', { name: 'a', size: 1 }));
  app.get('/accepted', { schema: sample }, async (_request, reply) => {
    reply.status(202);
    return success('resource_created', { job: 'j' });
  });

  app.get('/undeclared', { schema: sample }, async (_request) =>
    // @ts-expect-error `extra` is not a field of any answer the route declares
    success('resource_found', { name: 'a', size: 1, extra: true }),
  );
  app.get('/missing', { schema: sample }, async (_request) =>
    // @ts-expect-error `size` is required by the 200 answer
    success('resource_found', { name: 'a' }),
  );
  app.get('/mistyped', { schema: sample }, async (_request) =>
    // @ts-expect-error `size` is a number
    success('resource_found', { name: 'a', size: '1' }),
  );
  // a body written out is held to the schema's fields and types (an extra field only through success())
  app.get(
    '/literal',
    { schema: sample },
    // @ts-expect-error `size` is a number
    async (_request) => ({ status: 'success' as const, status_message: 'resource_found', name: 'a', size: '1' }),
  );

  // a route's own schema, nested: the branch view has `name` and `commit_id` only
  app.get('/branch', { schema: showBranch }, async (_request) =>
    // @ts-expect-error `head` is not a field of BranchView
    success('resource_found', { branch: { name: 'main', commit_id: 'c', head: true } }),
  );

  // a helper's answer is checked against the type it declares...
  const declared = async (): Promise<Answer<typeof sample>> =>
    // @ts-expect-error `extra` is not a field of the 200 answer
    success('resource_found', { name: 'a', size: 1, extra: true });
  // ...and one that declares none cannot pass fields unchecked
  // @ts-expect-error success() has no answer type to check the fields against
  const undeclared = async () => success('resource_found', { name: 'a', size: 1 });
  void declared;
  void undeclared;
}
