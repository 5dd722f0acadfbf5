import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { oxenVersion } from '../oxen-envelope.js';
import type { RouteDoc } from './route-docs.js';
import type { JsonSchema } from './oxen-schemas.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the OpenAPI document says about the route (route-docs.ts); every documented route has one. */
    doc?: RouteDoc;
  }
}

/** Upstream serves its document here, and its Swagger UI under /swagger-ui. */
export const specPath = '/api/_spec/oxen_server_openapi.json';
export const swaggerUiPrefix = '/swagger-ui';
/** Pages of third-party UIs, which document themselves. */
const undocumentedPrefixes = [swaggerUiPrefix, '/admin/queues'];

/** Upstream's parameter names where sluice's routes use shorter ones. */
const paramNames: Record<string, string> = { repo: 'repo_name', workspaceId: 'workspace_id', commitId: 'commit_id', jobId: 'job_id', uploadId: 'upload_id', part: 'part_number' };
const paramDescriptions: Record<string, string> = {
  namespace: 'The namespace of the repository',
  repo_name: 'The name of the repository',
  workspace_id: 'The id or the name of the workspace',
  path: 'A path in the repository, `/`-separated',
  branch: 'A branch name (may contain `/`)',
  branch_name: 'A branch name (may contain `/`)',
  revision_and_path: 'A branch name or commit id, then the path',
  hash: 'An Oxen content hash (xxh3-128, lowercase hex)',
};

/** The document's URL for a route: upstream's names, the wildcard named. */
function documentUrl(url: string, doc: RouteDoc): string {
  return url.replace(/:(\w+)/g, (_, name: string) => `:${paramNames[name] ?? name}`).replace(/\*$/, `:${doc.wildcard ?? 'path'}`);
}

function objectOf(properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', properties };
}

/** The route schema @fastify/swagger turns into an operation; it never reaches Fastify's validation. */
function operationSchema(url: string, doc: RouteDoc): FastifySchema & Record<string, unknown> {
  const params = Object.fromEntries([...url.matchAll(/:(\w+)/g)].map(([, name]) => [name!, { type: 'string', description: paramDescriptions[name!] ?? name }]));
  const response = Object.fromEntries(Object.entries(doc.responses).map(([status, body]) => [
    status,
    typeof body === 'string' ? { description: body, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } } : { description: 'OK', ...body },
  ]));
  return {
    operationId: doc.operationId,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: doc.tags,
    ...(doc.deprecated ? { deprecated: true } : {}),
    params: objectOf(params),
    ...(doc.querystring ? { querystring: objectOf(doc.querystring) } : {}),
    ...(doc.headers ? { headers: objectOf(doc.headers) } : {}),
    ...(doc.body ? { body: doc.body } : {}),
    ...(doc.consumes ? { consumes: doc.consumes } : {}),
    response,
  };
}

/**
 * The OpenAPI 3.1 document, at upstream's path, with Swagger UI. Each route carries what the
 * document says about it (`config.doc`); a route registered without it stops start-up, so no
 * route goes undocumented.
 */
export async function openApi(app: FastifyInstance): Promise<void> {
  const undocumented: string[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const hidden = (route.schema as { hide?: boolean } | undefined)?.hide === true || undocumentedPrefixes.some((prefix) => route.url.startsWith(prefix));
    if (!hidden && route.config?.doc === undefined) undocumented.push(`${[route.method].flat().join(',')} ${route.url}`);
  });
  app.addHook('onReady', async () => {
    if (undocumented.length > 0) throw new Error(`routes without config.doc (route-docs.ts), missing from the OpenAPI document: ${undocumented.join(', ')}`);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'sluice: the Oxen workspace API',
        version: oxenVersion,
        description:
          'The Oxen server routes sluice speaks (Oxen ' + oxenVersion + '), with sluice’s extensions: asynchronous uploads and commits (`Prefer: respond-async`), jobs (`/api/jobs/{job_id}`), `Idempotency-Key`, readiness and metrics. Every JSON answer is the Oxen envelope (`status`, `status_message`, …).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'required on every route but health and version when SLUICE_AUTH=on' } } },
    },
    transform: ({ url, route }) => {
      const doc = route.config?.doc;
      if (doc === undefined) return { schema: { hide: true }, url };
      const documented = documentUrl(url, doc);
      return { schema: operationSchema(documented, doc), url: documented };
    },
  });
  app.get(specPath, { schema: { hide: true }, config: { access: 'open' } }, async () => app.swagger());
  await app.register(swaggerUi, { routePrefix: swaggerUiPrefix });
}
