import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { workspaceView } from './views.js';
import type { RequestOf, TypedApp } from '../openapi/schema-kit.js';
import {
  getOrCreateWorkspace,
  getOrCreateWorkspacePost,
  listWorkspaces,
  getWorkspace,
  deleteWorkspace,
  validate,
} from './workspace-routes.schema.js';

export function workspaceRoutes(app: TypedApp, { workspaces, objects }: AppServices): void {
  const getOrCreate = async (request: RequestOf<typeof getOrCreateWorkspace | typeof getOrCreateWorkspacePost>) => {
    const { namespace, repo } = request.params;
    const body = request.body;
    const { workspace, created } = await workspaces.getOrCreate(namespace, repo, {
      workspaceId: body.workspace_id,
      branchName: body.branch_name,
      name: body.name ?? null,
    });
    return success(created ? 'resource_created' : 'resource_found', {
      workspace: await workspaceView(objects, workspace),
    });
  };
  app.put('/api/repos/:namespace/:repo/workspaces', { schema: getOrCreateWorkspace }, getOrCreate);
  app.post('/api/repos/:namespace/:repo/workspaces', { schema: getOrCreateWorkspacePost }, getOrCreate);

  app.get('/api/repos/:namespace/:repo/workspaces', { schema: listWorkspaces }, async (request) => {
    const { namespace, repo } = request.params;
    const list = await workspaces.list(namespace, repo, request.query.name);
    // Upstream's list answers `resource_created`.
    return success('resource_created', { workspaces: await Promise.all(list.map((w) => workspaceView(objects, w))) });
  });

  app.get('/api/repos/:namespace/:repo/workspaces/:workspaceId', { schema: getWorkspace }, async (request) => {
    return success('resource_found', { workspace: await workspaceView(objects, request.workspace) });
  });

  app.delete('/api/repos/:namespace/:repo/workspaces/:workspaceId', { schema: deleteWorkspace }, async (request) => {
    const { namespace, repo } = request.params;
    await workspaces.delete(namespace, repo, request.workspace);
    return success('resource_created', { workspace: await workspaceView(objects, request.workspace) });
  });

  // the workspace was found before the handler runs (repo-scope.ts)
  app.post('/api/repos/:namespace/:repo/workspaces/:workspaceId/validate', { schema: validate }, async () =>
    success('resource_found'),
  );
}
