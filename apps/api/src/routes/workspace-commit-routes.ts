import type { FastifyInstance } from 'fastify';
import { SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { commitView } from './views.js';
import type { WorkspaceParams } from './workspace-routes.js';

type BranchParams = WorkspaceParams & { '*': string };

/** Commit a workspace onto a branch (reference §8.2), its deprecated alias, and mergeability (§8.1). */
export function workspaceCommitRoutes(app: FastifyInstance, { repos, workspaces, committer }: AppServices): void {
  const base = '/api/repos/:namespace/:repo/workspaces/:workspaceId';

  const commit = async (request: { params: BranchParams; body: unknown }) => {
    const { namespace, repo, workspaceId } = request.params;
    await repos.require(namespace, repo);
    const workspace = await workspaces.require(namespace, repo, workspaceId);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { message, author, email } = body;
    if (typeof message !== 'string' || typeof author !== 'string' || typeof email !== 'string') {
      throw new SluiceError('bad_request', 'missing field: message, author and email are required strings', {
        statusMessage: 'missing field `message`, `author` or `email`',
      });
    }
    const created = await committer.commit(namespace, repo, workspace, request.params['*'], { message, author, email });
    return success('resource_created', { commit: commitView(created) });
  };
  app.post<{ Params: BranchParams }>(`${base}/merge/*`, commit);
  app.post<{ Params: BranchParams }>(`${base}/commit/*`, commit);

  app.get<{ Params: BranchParams }>(`${base}/merge/*`, async (request) => {
    const { namespace, repo, workspaceId } = request.params;
    await repos.require(namespace, repo);
    const workspace = await workspaces.require(namespace, repo, workspaceId);
    const result = await committer.mergeability(namespace, repo, workspace, request.params['*']);
    return success('resource_found', {
      is_mergeable: result.isMergeable,
      conflicts: result.conflicts.map((path) => ({ path })),
      commits: result.commits.map(commitView),
    });
  });
}
