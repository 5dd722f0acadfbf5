// The HTTP front door, for the process entry (apps/sluice) and tests: the Fastify app and what it runs on.
export { buildApp } from './build-app.js';
export type { AppServices } from './app-services.js';
export { TokenStore, type Access } from './auth/token-store.js';
export type { RouteSchema } from './openapi/schema-kit.js';
export { routeSchemas, specPath, swaggerUiPrefix } from './openapi/openapi.js';
