import type { AppServices } from '../app-services.js';
import { ingestDeps } from '../ingest-deps.js';
import type { TypedApp } from '../openapi/schema-kit.js';
import { multipartOnly } from '../plugins/json-text.js';
import { findRepository, findWorkspace } from '../plugins/repo-scope.js';
import { repoRoutes, showRepoRoute } from './repo-routes.js';
import { workspaceItemRoutes, workspaceRoutes } from './workspace-routes.js';
import { uploadRoute } from './upload-route.js';
import { changesRoutes } from './changes-routes.js';
import { stagedFileRoutes } from './staged-file-routes.js';
import { branchRoutes } from './branch-routes.js';
import { merkleRoutes } from './merkle-routes.js';
import { commitRoutes } from './commit-routes.js';
import { workspaceCommitRoutes } from './workspace-commit-routes.js';
import { stageEditRoutes } from './stage-edit-routes.js';
import { revisionRoutes } from './revision-routes.js';
import { archiveRoute } from './archive-route.js';
import { compareRoutes } from './compare-routes.js';
import { versionsRoutes } from './versions-routes.js';
import { versionDownloadRoutes } from './version-download-routes.js';
import { uploadsRoutes } from './uploads-routes.js';
import { stageHashesRoute } from './stage-hashes-route.js';

/**
 * Every route of `/api/repos`, grouped by URL prefix so each prefix is written once, here. The
 * scope of a prefix is also what it knows: a route registered in the repository's finds its
 * repository before its handler runs, one in the workspace's its workspace too (repo-scope.ts).
 */
export async function repositoryRoutes(app: TypedApp, services: AppServices): Promise<void> {
  // the upload routes' use cases, given what they need once
  const ingest = ingestDeps(services);
  await app.register(async (repos: TypedApp) => repoRoutes(repos, services), { prefix: '/api/repos' });
  await app.register(
    async (repo: TypedApp) => {
      findRepository(repo, services.repos);
      showRepoRoute(repo, services);
      // first: it adds the constraint that tells the push's merge from a branch update
      merkleRoutes(repo, services);
      branchRoutes(repo, services);
      commitRoutes(repo, services);
      revisionRoutes(repo, services);
      archiveRoute(repo, services);
      compareRoutes(repo, services);
      await versionsRoutes(repo, ingest);
      await versionDownloadRoutes(repo, services);
      await uploadsRoutes(repo, ingest);
      workspaceRoutes(repo, services);
      await repo.register(
        async (workspace: TypedApp) => {
          findWorkspace(workspace, services.workspaces);
          workspaceItemRoutes(workspace, services);
          await multipartOnly(workspace, (scope) => uploadRoute(scope, ingest));
          changesRoutes(workspace, services);
          stagedFileRoutes(workspace, services);
          workspaceCommitRoutes(workspace, services);
          stageEditRoutes(workspace, services);
          stageHashesRoute(workspace, ingest);
        },
        { prefix: '/workspaces/:workspaceId' },
      );
    },
    { prefix: '/api/repos/:namespace/:repo' },
  );
}
