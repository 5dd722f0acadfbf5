import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { commitView } from './views.js';
import type { Answer, RequestOf, TypedApp } from '../openapi/schema-kit.js';
import { showCommit, completeCommit, action, actionGet } from './commit-routes.schema.js';

/**
 * Commits by id (only this repository's), and the hooks the Oxen client calls around a workspace
 * commit (docs/architecture.md#commits); `commits/{id}/complete` comes without a Content-Type.
 */
export function commitRoutes(app: TypedApp, { repos }: AppServices): void {
  const show = async (params: RequestOf<typeof showCommit | typeof completeCommit>['params']) =>
    commitView(await repos.requireCommit(params.namespace, params.repo, params.commitId));
  app.get('/commits/:commitId', { schema: showCommit }, async (request) =>
    success('resource_found', { commit: await show(request.params) }),
  );
  app.post('/commits/:commitId/complete', { schema: completeCommit }, async (request) =>
    success('resource_created', { commit: await show(request.params) }),
  );

  const actionHook = async (request: RequestOf<typeof action | typeof actionGet>): Promise<Answer<typeof action>> => ({
    action: request.params.action,
    status: 'success',
    status_message: 'resource_found',
    state: request.params.state,
  });
  app.post('/action/:state/:action', { schema: action }, actionHook);
  app.get('/action/:state/:action', { schema: actionGet }, actionHook);
}
