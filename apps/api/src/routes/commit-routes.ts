import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { commitView } from './views.js';
import type { RepoParams } from './workspace-routes.js';
import { routeSchemas } from '../openapi/route-schemas.js';

/**
 * Commits by id (only this repository's), and the hooks the Oxen client calls around a workspace
 * commit (docs/architecture.md#commits); `commits/{id}/complete` comes without a Content-Type.
 */
export function commitRoutes(app: FastifyInstance, { repos }: AppServices): void {
  const base = '/api/repos/:namespace/:repo';
  type CommitParams = RepoParams & { commitId: string };

  const show = async (params: CommitParams) =>
    commitView(await repos.requireCommit(params.namespace, params.repo, params.commitId));
  app.get<{ Params: CommitParams }>(
    `${base}/commits/:commitId`,
    { schema: routeSchemas.show_commit },
    async (request) => success('resource_found', { commit: await show(request.params) }),
  );
  app.post<{ Params: CommitParams }>(
    `${base}/commits/:commitId/complete`,
    { schema: routeSchemas.complete_commit },
    async (request) => success('resource_created', { commit: await show(request.params) }),
  );

  const action = async (request: { params: RepoParams & { state: string; action: string } }) => ({
    action: request.params.action,
    status: 'success',
    status_message: 'resource_found',
    state: request.params.state,
  });
  app.post<{ Params: RepoParams & { state: 'started' | 'completed'; action: string } }>(
    `${base}/action/:state/:action`,
    { schema: routeSchemas.action },
    action,
  );
  app.get<{ Params: RepoParams & { state: 'started' | 'completed'; action: string } }>(
    `${base}/action/:state/:action`,
    { schema: routeSchemas.action_get },
    action,
  );
}
