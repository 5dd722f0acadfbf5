import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * Registers another project's pages (Swagger UI, the queue board) in a scope of their own whose
 * every route carries `access` in its config and stays out of the OpenAPI document: their routes
 * are not ours to give options, and this keeps their policy off any table of URLs. The hooks
 * that read `config.access` read it per request, after this has set it.
 */
export async function foreignPages(
  app: FastifyInstance,
  access: 'open' | 'admin',
  register: (scope: FastifyInstance) => Promise<void>,
): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route: RouteOptions) => {
      route.config = { ...route.config, access };
      route.schema = { ...route.schema, hide: true } as RouteOptions['schema'];
    });
    await register(scope);
  });
}
