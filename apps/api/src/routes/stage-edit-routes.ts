import type { FastifyInstance } from 'fastify';
import { SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import type { WorkspaceParams } from './workspace-routes.js';
import { routeDocs } from '../openapi/route-docs.js';

/** `oxen rm` (DELETE W/files, reference §5.2) and `oxen mv` (PATCH W/files/{path}, §5.4). */
export function stageEditRoutes(app: FastifyInstance, { repos, workspaces, stageEditor }: AppServices): void {
  const base = '/api/repos/:namespace/:repo/workspaces/:workspaceId';

  const remove = async (request: { params: WorkspaceParams; body: unknown }, reply: { status(code: number): unknown }) => {
    const { namespace, repo, workspaceId } = request.params;
    await repos.require(namespace, repo);
    const workspace = await workspaces.require(namespace, repo, workspaceId);
    if (!Array.isArray(request.body) || !request.body.every((p) => typeof p === 'string')) {
      throw new SluiceError('bad_request', 'expected a JSON array of paths');
    }
    const paths = request.body as string[];
    const failed = await stageEditor.remove(namespace, repo, workspace, paths);
    if (failed.length === 0) return success('resource_deleted', { paths });
    reply.status(206);
    return { ...success('resource_not_found', { paths: failed }), status: 'error', status_description: 'Cannot call `oxen rm` on uncommitted files' };
  };
  app.delete<{ Params: WorkspaceParams }>(`${base}/files`, { config: { doc: routeDocs.rm_files } }, remove);
  app.delete<{ Params: WorkspaceParams }>(`${base}/versions`, { config: { doc: routeDocs.rm_files_versions } }, remove);

  app.patch<{ Params: WorkspaceParams & { '*': string } }>(`${base}/files/*`, { config: { doc: routeDocs.mv } }, async (request) => {
    const { namespace, repo, workspaceId } = request.params;
    await repos.require(namespace, repo);
    const workspace = await workspaces.require(namespace, repo, workspaceId);
    const newPath = (request.body as { new_path?: unknown } | undefined)?.new_path;
    if (typeof newPath !== 'string') throw new SluiceError('bad_request', 'new_path cannot be empty');
    await stageEditor.move(namespace, repo, workspace, request.params['*'], newPath);
    return success('resource_updated');
  });
}
