import type { AppServices } from '../app-services.js';
import { oxenVersion, success } from '../oxen-envelope.js';
import type { Answer, ReplyOf, RequestOf, TypedApp } from '../openapi/schema-kit.js';
import { rmFiles, rmFilesVersions, mv } from './stage-edit-routes.schema.js';

/** `oxen rm` (DELETE W/files) and `oxen mv` (PATCH W/files/{path}): docs/architecture.md#the-stage. */
export function stageEditRoutes(app: TypedApp, { stageEditor }: AppServices): void {
  const remove = async (
    request: RequestOf<typeof rmFiles | typeof rmFilesVersions>,
    reply: ReplyOf<typeof rmFiles | typeof rmFilesVersions>,
  ): Promise<Answer<typeof rmFiles> | Answer<typeof rmFiles, 206>> => {
    const { namespace, repo } = request.params;
    const paths = request.body;
    const failed = await stageEditor.remove(namespace, repo, request.workspace, paths);
    if (failed.length === 0) return success('resource_deleted', { paths });
    reply.status(206);
    return {
      status: 'error',
      status_message: 'resource_not_found',
      oxen_version: oxenVersion,
      paths: failed,
      status_description: 'Cannot call `oxen rm` on uncommitted files',
    };
  };
  app.delete('/files', { schema: rmFiles }, remove);
  app.delete('/versions', { schema: rmFilesVersions }, remove);

  app.patch('/files/*', { schema: mv }, async (request) => {
    const { namespace, repo } = request.params;
    await stageEditor.move(namespace, repo, request.workspace, request.params['*'], request.body.new_path);
    return success('resource_updated');
  });
}
