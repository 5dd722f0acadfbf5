// For embedders and tests: the Fastify app and the services it runs on (main.ts is the daemon).
export { buildApp } from './build-app.js';
export { createServices } from './create-services.js';
export type { AppServices } from './app-services.js';
export { routeDocs } from './openapi/route-docs.js';
export { specPath, swaggerUiPrefix } from './openapi/openapi.js';
