import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WorkspaceBody } from '@sluice/protocol';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { workspaceView } from './views.js';
import { routeSchemas } from '../openapi/route-schemas.js';

export interface RepoParams {
  namespace: string;
  repo: string;
}

export interface WorkspaceParams extends RepoParams {
  workspaceId: string;
}

export function workspaceRoutes(app: FastifyInstance, { workspaces, objects }: AppServices): void {
  const getOrCreate = async (request: FastifyRequest<{ Params: RepoParams; Body: WorkspaceBody }>) => {
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
  app.put<{ Params: RepoParams; Body: WorkspaceBody }>(
    '/api/repos/:namespace/:repo/workspaces',
    { schema: routeSchemas.get_or_create_workspace },
    getOrCreate,
  );
  app.post<{ Params: RepoParams; Body: WorkspaceBody }>(
    '/api/repos/:namespace/:repo/workspaces',
    { schema: routeSchemas.get_or_create_workspace_post },
    getOrCreate,
  );

  app.get<{ Params: RepoParams; Querystring: { name?: string } }>(
    '/api/repos/:namespace/:repo/workspaces',
    { schema: routeSchemas.list_workspaces },
    async (request) => {
      const { namespace, repo } = request.params;
      const list = await workspaces.list(namespace, repo, request.query.name);
      // Upstream's list answers `resource_created`.
      return success('resource_created', { workspaces: await Promise.all(list.map((w) => workspaceView(objects, w))) });
    },
  );

  app.get<{ Params: WorkspaceParams }>(
    '/api/repos/:namespace/:repo/workspaces/:workspaceId',
    { schema: routeSchemas.get_workspace },
    async (request) => {
      return success('resource_found', { workspace: await workspaceView(objects, request.workspace) });
    },
  );

  app.delete<{ Params: WorkspaceParams }>(
    '/api/repos/:namespace/:repo/workspaces/:workspaceId',
    { schema: routeSchemas.delete_workspace },
    async (request) => {
      const { namespace, repo } = request.params;
      await workspaces.delete(namespace, repo, request.workspace);
      return success('resource_created', { workspace: await workspaceView(objects, request.workspace) });
    },
  );

  // the workspace was found before the handler runs (repo-scope.ts)
  app.post<{ Params: WorkspaceParams }>(
    '/api/repos/:namespace/:repo/workspaces/:workspaceId/validate',
    { schema: routeSchemas.validate },
    async () => success('resource_found'),
  );
}
