import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { commitView } from './views.js';
import type { RepoParams } from './workspace-routes.js';

/** Commits by id, and the hooks the Oxen client calls around a workspace commit (reference §8.3). */
export function commitRoutes(app: FastifyInstance, { repos, objects }: AppServices): void {
  const base = '/api/repos/:namespace/:repo';

  app.get<{ Params: RepoParams & { commitId: string } }>(`${base}/commits/:commitId`, async (request) => {
    await repos.require(request.params.namespace, request.params.repo);
    return success('resource_found', { commit: commitView(await objects.getCommit(request.params.commitId)) });
  });

  app.post<{ Params: RepoParams & { commitId: string } }>(`${base}/commits/:commitId/complete`, async (request) => {
    await repos.require(request.params.namespace, request.params.repo);
    return success('resource_created', { commit: commitView(await objects.getCommit(request.params.commitId)) });
  });

  const action = async (request: { params: RepoParams & { state: string; action: string } }) => {
    await repos.require(request.params.namespace, request.params.repo);
    return { action: request.params.action, status: 'success', status_message: 'resource_found', state: request.params.state };
  };
  app.post<{ Params: RepoParams & { state: 'started' | 'completed'; action: string } }>(`${base}/action/:state/:action`, action);
  app.get<{ Params: RepoParams & { state: 'started' | 'completed'; action: string } }>(`${base}/action/:state/:action`, action);
}
