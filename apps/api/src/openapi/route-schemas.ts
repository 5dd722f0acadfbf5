import * as archiveRoute from '../routes/archive-route.schema.js';
import * as branchRoutes from '../routes/branch-routes.schema.js';
import * as changesRoutes from '../routes/changes-routes.schema.js';
import * as commitRoutes from '../routes/commit-routes.schema.js';
import * as compareRoutes from '../routes/compare-routes.schema.js';
import * as dashboardRoutes from '../routes/dashboard-routes.schema.js';
import * as jobRoutes from '../routes/job-routes.schema.js';
import * as merkleRoutes from '../routes/merkle-routes.schema.js';
import * as metaRoutes from '../routes/meta-routes.schema.js';
import * as repoRoutes from '../routes/repo-routes.schema.js';
import * as revisionRoutes from '../routes/revision-routes.schema.js';
import * as stageEditRoutes from '../routes/stage-edit-routes.schema.js';
import * as stageHashesRoute from '../routes/stage-hashes-route.schema.js';
import * as stagedFileRoutes from '../routes/staged-file-routes.schema.js';
import * as uploadRoute from '../routes/upload-route.schema.js';
import * as uploadsRoutes from '../routes/uploads-routes.schema.js';
import * as versionDownloadRoutes from '../routes/version-download-routes.schema.js';
import * as versionsRoutes from '../routes/versions-routes.schema.js';
import * as workspaceCommitRoutes from '../routes/workspace-commit-routes.schema.js';
import * as workspaceRoutes from '../routes/workspace-routes.schema.js';
import * as httpMetrics from '../plugins/http-metrics.schema.js';
import type { RouteSchema } from './schema-kit.js';

export type { RouteSchema } from './schema-kit.js';

/**
 * Every operation's schema by its operationId, gathered from the schemas that sit beside their
 * handlers (`routes/*.schema.ts`): for tests and tools that look an operation up by name. The
 * document itself is generated from the registered routes (openapi.ts).
 */
export const routeSchemas: Record<string, RouteSchema> = Object.fromEntries(
  [
    archiveRoute,
    branchRoutes,
    changesRoutes,
    commitRoutes,
    compareRoutes,
    dashboardRoutes,
    jobRoutes,
    merkleRoutes,
    metaRoutes,
    repoRoutes,
    revisionRoutes,
    stageEditRoutes,
    stageHashesRoute,
    stagedFileRoutes,
    uploadRoute,
    uploadsRoutes,
    versionDownloadRoutes,
    versionsRoutes,
    workspaceCommitRoutes,
    workspaceRoutes,
    httpMetrics,
  ]
    .flatMap((module) => Object.values(module) as RouteSchema[])
    .map((schema) => [schema.operationId, schema]),
);
