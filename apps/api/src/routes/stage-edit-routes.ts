import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MoveBody } from '@sluice/protocol';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import type { WorkspaceParams } from './workspace-routes.js';
import { routeSchemas } from '../openapi/route-schemas.js';

/** `oxen rm` (DELETE W/files) and `oxen mv` (PATCH W/files/{path}): docs/architecture.md#the-stage. */
export function stageEditRoutes(app: FastifyInstance, { stageEditor }: AppServices): void {
  const base = '/api/repos/:namespace/:repo/workspaces/:workspaceId';

  const remove = async (request: FastifyRequest<{ Params: WorkspaceParams; Body: string[] }>, reply: FastifyReply) => {
    const { namespace, repo } = request.params;
    const paths = request.body;
    const failed = await stageEditor.remove(namespace, repo, request.workspace, paths);
    if (failed.length === 0) return success('resource_deleted', { paths });
    reply.status(206);
    return {
      ...success('resource_not_found', { paths: failed }),
      status: 'error',
      status_description: 'Cannot call `oxen rm` on uncommitted files',
    };
  };
  app.delete<{ Params: WorkspaceParams; Body: string[] }>(`${base}/files`, { schema: routeSchemas.rm_files }, remove);
  app.delete<{ Params: WorkspaceParams; Body: string[] }>(
    `${base}/versions`,
    { schema: routeSchemas.rm_files_versions },
    remove,
  );

  app.patch<{ Params: WorkspaceParams & { '*': string }; Body: MoveBody }>(
    `${base}/files/*`,
    { schema: routeSchemas.mv },
    async (request) => {
      const { namespace, repo } = request.params;
      await stageEditor.move(namespace, repo, request.workspace, request.params['*'], request.body.new_path);
      return success('resource_updated');
    },
  );
}
