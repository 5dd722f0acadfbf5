import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { workspaceView } from './views.js';
import type { Answer, RequestOf, TypedApp } from '../openapi/schema-kit.js';
import {
  getOrCreateWorkspace,
  getOrCreateWorkspacePost,
  listWorkspaces,
  getWorkspace,
  deleteWorkspace,
  validate,
} from './workspace-routes.schema.js';

/** A repository's workspaces, under the repository prefix: `/workspaces`. */
export function workspaceRoutes(app: TypedApp, { workspaces, objects }: AppServices): void {
  const getOrCreate = async (
    request: RequestOf<typeof getOrCreateWorkspace | typeof getOrCreateWorkspacePost>,
  ): Promise<Answer<typeof getOrCreateWorkspace>> => {
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
  app.put('/workspaces', { schema: getOrCreateWorkspace }, getOrCreate);
  app.post('/workspaces', { schema: getOrCreateWorkspacePost }, getOrCreate);

  app.get('/workspaces', { schema: listWorkspaces }, async (request) => {
    const { namespace, repo } = request.params;
    const list = await workspaces.list(namespace, repo, request.query.name);
    // Upstream's list answers `resource_created`.
    return success('resource_created', { workspaces: await Promise.all(list.map((w) => workspaceView(objects, w))) });
  });
}

/** One workspace, at the workspace prefix (repository-routes.ts), found before the handler runs. */
export function workspaceItemRoutes(app: TypedApp, { workspaces, objects }: AppServices): void {
  app.get('', { schema: getWorkspace }, async (request) => {
    return success('resource_found', { workspace: await workspaceView(objects, request.workspace) });
  });

  app.delete('', { schema: deleteWorkspace }, async (request) => {
    const { namespace, repo } = request.params;
    await workspaces.delete(namespace, repo, request.workspace);
    return success('resource_created', { workspace: await workspaceView(objects, request.workspace) });
  });

  // the workspace was found before the handler runs (repo-scope.ts)
  app.post('/validate', { schema: validate }, async (_request) => success('resource_found'));
}
