import type { FastifyInstance, RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { oxenVersion } from '../oxen-envelope.js';
import type { RouteSchema } from './schema-kit.js';
import { foreignPages } from '../plugins/foreign-pages.js';

/** Upstream serves its document here, and its Swagger UI under /swagger-ui. */
export const specPath = '/api/_spec/oxen_server_openapi.json';
export const swaggerUiPrefix = '/swagger-ui';

/** Upstream's parameter names where sluice's routes use shorter ones. */
const paramNames: Record<string, string> = {
  repo: 'repo_name',
  workspaceId: 'workspace_id',
  commitId: 'commit_id',
  jobId: 'job_id',
  uploadId: 'upload_id',
  part: 'part_number',
};

type ObjectSchema = { type: 'object'; properties: Record<string, unknown>; required?: string[] };

/** The route's parameters in the document: upstream's names, the wildcard named as upstream does. */
function documentParams(params: ObjectSchema, wildcard: string): ObjectSchema {
  const rename = (name: string) => (name === '*' ? wildcard : (paramNames[name] ?? name));
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(params.properties).map(([name, schema]) => [rename(name), schema])),
    required: (params.required ?? []).map(rename),
  };
}

/**
 * OpenAPI 3.1 has no `query` operation (3.2 adds it): an operation of the QUERY method goes under
 * `x-query`, an extension a 3.1 reader keeps and a 3.2-aware one can take for what it is.
 */
function withQueryAsExtension(document: object): object {
  const paths = (document as { paths?: Record<string, Record<string, unknown>> }).paths;
  if (paths === undefined) return document;
  const moved = Object.fromEntries(
    Object.entries(paths).map(([url, item]) => {
      if (item.query === undefined) return [url, item];
      const { query, ...rest } = item;
      return [url, { ...rest, 'x-query': query }];
    }),
  );
  return { ...document, paths: moved };
}

/** Each app's documented routes' schemas by operationId, as their routes registered them. */
const registered = new WeakMap<FastifyInstance, Record<string, RouteSchema>>();

/**
 * Every operation's schema by its operationId, as the app's routes registered them (before the
 * route contract adds the shared error answers): for tests and tools that look an operation up by
 * name. A route file's schemas are here once its routes are registered, with nothing to list by hand.
 */
export function routeSchemas(app: FastifyInstance): Readonly<Record<string, RouteSchema>> {
  const schemas = registered.get(app);
  if (schemas === undefined) throw new Error('routeSchemas: not an app built by buildApp');
  return schemas;
}

/**
 * The OpenAPI 3.1 document, at upstream's path, with Swagger UI, generated from the routes'
 * own schemas (each beside its handler, `routes/*.schema.ts`). A route registered without one
 * stops start-up, so no route goes undocumented.
 */
export async function openApi(app: FastifyInstance): Promise<void> {
  // judged once all routes are in: hooks of a route's own scope may still complete its schema
  const routes: RouteOptions[] = [];
  const schemas: Record<string, RouteSchema> = {};
  registered.set(app, schemas);
  app.addHook('onRoute', (route: RouteOptions) => {
    routes.push(route);
    const schema = route.schema as Partial<RouteSchema> | undefined;
    if (schema?.operationId !== undefined) schemas[schema.operationId] ??= schema as RouteSchema;
  });
  app.addHook('onReady', async () => {
    const undocumented = routes
      .filter((route) => {
        const schema = route.schema as (Partial<RouteSchema> & { hide?: boolean }) | undefined;
        return schema?.hide !== true && schema?.operationId === undefined;
      })
      .map((route) => `${[route.method].flat().join(',')} ${route.url}`);
    if (undocumented.length > 0)
      throw new Error(
        `routes without a schema (routes/*.schema.ts), missing from the OpenAPI document: ${undocumented.join(', ')}`,
      );
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'sluice: the Oxen workspace API',
        version: oxenVersion,
        description:
          'The Oxen server routes sluice speaks (Oxen ' +
          oxenVersion +
          '), with sluice’s extensions: asynchronous uploads and commits (`Prefer: respond-async`), jobs ' +
          '(`/api/jobs/{job_id}`), `Idempotency-Key`, readiness and metrics. Every JSON answer is the Oxen ' +
          'envelope (`status`, `status_message`, …).',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'required on every route but health and version when SLUICE_AUTH=on',
          },
        },
      },
    },
    transform: ({ url, schema }) => {
      const route = schema as RouteSchema | undefined;
      if (route?.operationId === undefined) return { schema: { hide: true }, url };
      const wildcard = route.wildcard ?? 'path';
      const { wildcard: _wildcard, wildcardTail, refusals: _refusals, streamedBody, params, ...documented } = route;
      return {
        url: url
          .replace(/:(\w+)/g, (_, name: string) => `:${paramNames[name] ?? name}`)
          .replace(/\*$/, `:${wildcard}${wildcardTail ?? ''}`),
        schema: {
          ...documented,
          ...(params === undefined ? {} : { params: documentParams(params as ObjectSchema, wildcard) }),
          ...(streamedBody === undefined ? {} : { body: streamedBody }),
        },
      };
    },
  });
  app.get(specPath, { schema: { hide: true }, config: { access: 'open' } }, async () =>
    withQueryAsExtension(app.swagger()),
  );
  await foreignPages(app, 'open', async (scope) => scope.register(swaggerUi, { routePrefix: swaggerUiPrefix }));
}
