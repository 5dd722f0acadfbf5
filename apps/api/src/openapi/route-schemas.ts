import { serverSchemas } from './server-schemas.js';
import { repoSchemas } from './repo-schemas.js';
import { workspaceSchemas } from './workspace-schemas.js';
import { versionSchemas } from './version-schemas.js';

export type { RouteSchema } from './schema-kit.js';

/**
 * Every operation's schema, by its operationId. Each route names its own in its options
 * (`schema: routeSchemas.…`); a route registered without one fails start-up (see openapi.ts),
 * so the document cannot fall behind the routes.
 */
export const routeSchemas = { ...serverSchemas, ...repoSchemas, ...workspaceSchemas, ...versionSchemas };
