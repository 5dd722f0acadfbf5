import type { FastifyInstance } from 'fastify';
import { SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { workspaceView } from './views.js';
import { routeDocs } from '../openapi/route-docs.js';

export interface RepoParams {
  namespace: string;
  repo: string;
}

export interface WorkspaceParams extends RepoParams {
  workspaceId: string;
}

interface NewWorkspaceBody {
  workspace_id?: unknown;
  branch_name?: unknown;
  name?: unknown;
}

export function workspaceRoutes(app: FastifyInstance, { repos, workspaces, objects }: AppServices): void {
  const getOrCreate = async (request: { params: RepoParams; body: unknown }) => {
    const { namespace, repo } = request.params;
    await repos.require(namespace, repo);
    const body = (request.body ?? {}) as NewWorkspaceBody;
    if (typeof body.workspace_id !== 'string' || typeof body.branch_name !== 'string') {
      throw new SluiceError('bad_request', 'missing field: workspace_id and branch_name are required strings', {
        statusMessage: 'missing field `workspace_id` or `branch_name`',
      });
    }
    if (body.name !== undefined && body.name !== null && typeof body.name !== 'string') {
      throw new SluiceError('bad_request', '`name` must be a string or null');
    }
    const { workspace, created } = await workspaces.getOrCreate(namespace, repo, {
      workspaceId: body.workspace_id, branchName: body.branch_name, name: (body.name as string | null | undefined) ?? null,
    });
    return success(created ? 'resource_created' : 'resource_found', { workspace: await workspaceView(objects, workspace) });
  };
  app.put<{ Params: RepoParams }>('/api/repos/:namespace/:repo/workspaces', { config: { doc: routeDocs.get_or_create_workspace } }, getOrCreate);
  app.post<{ Params: RepoParams }>('/api/repos/:namespace/:repo/workspaces', { config: { doc: routeDocs.get_or_create_workspace_post } }, getOrCreate);

  app.get<{ Params: RepoParams; Querystring: { name?: string } }>('/api/repos/:namespace/:repo/workspaces', { config: { doc: routeDocs.list_workspaces } }, async (request) => {
    const { namespace, repo } = request.params;
    await repos.require(namespace, repo);
    const list = await workspaces.list(namespace, repo, request.query.name);
    // Upstream's list answers `resource_created`.
    return success('resource_created', { workspaces: await Promise.all(list.map((w) => workspaceView(objects, w))) });
  });

  app.get<{ Params: WorkspaceParams }>('/api/repos/:namespace/:repo/workspaces/:workspaceId', { config: { doc: routeDocs.get_workspace } }, async (request) => {
    const { namespace, repo, workspaceId } = request.params;
    await repos.require(namespace, repo);
    const workspace = await workspaces.require(namespace, repo, workspaceId);
    return success('resource_found', { workspace: await workspaceView(objects, workspace) });
  });

  app.delete<{ Params: WorkspaceParams }>('/api/repos/:namespace/:repo/workspaces/:workspaceId', { config: { doc: routeDocs.delete_workspace } }, async (request) => {
    const { namespace, repo, workspaceId } = request.params;
    await repos.require(namespace, repo);
    const workspace = await workspaces.delete(namespace, repo, workspaceId);
    return success('resource_created', { workspace: await workspaceView(objects, workspace) });
  });

  app.post<{ Params: WorkspaceParams }>('/api/repos/:namespace/:repo/workspaces/:workspaceId/validate', { config: { doc: routeDocs.validate } }, async (request) => {
    const { namespace, repo, workspaceId } = request.params;
    await repos.require(namespace, repo);
    await workspaces.require(namespace, repo, workspaceId);
    return success('resource_found');
  });
}
