import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { commitJobOptions, commitJobPrefix } from '@sluice/queue';
import { wantsAsync } from '../wants-async.js';
import { commitJobView, jobLocation } from './job-view.js';
import { SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { commitView } from './views.js';
import type { WorkspaceParams } from './workspace-routes.js';
import { routeDocs } from '../openapi/route-docs.js';

type BranchParams = WorkspaceParams & { '*': string };

/** Commit a workspace onto a branch (reference §8.2), its deprecated alias, and mergeability (§8.1). */
export function workspaceCommitRoutes(app: FastifyInstance, { repos, workspaces, committer, commitQueue, config }: AppServices): void {
  const base = '/api/repos/:namespace/:repo/workspaces/:workspaceId';
  const jobOptions = commitJobOptions(config.jobRetentionSeconds);

  const commit = async (request: FastifyRequest<{ Params: BranchParams }>, reply: FastifyReply) => {
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
    const branch = request.params['*'];
    if (wantsAsync(request)) {
      // A commit of a large workspace outlives any proxy's timeout: 202 and a job to poll.
      const job = await commitQueue.add('commit', { namespace, repo, workspaceId: workspace.id, branch, message, author, email }, { ...jobOptions, jobId: `${commitJobPrefix}${randomUUID()}` });
      reply.header('location', jobLocation(job.id as string));
      return reply.status(202).send(success('resource_created', { job: await commitJobView(job) }));
    }
    const created = await committer.commit(namespace, repo, workspace, branch, { message, author, email });
    return success('resource_created', { commit: commitView(created) });
  };
  app.post<{ Params: BranchParams }>(`${base}/merge/*`, { config: { doc: routeDocs.commit } }, commit);
  app.post<{ Params: BranchParams }>(`${base}/commit/*`, { config: { doc: routeDocs.commit_deprecated } }, commit);

  app.get<{ Params: BranchParams }>(`${base}/merge/*`, { config: { doc: routeDocs.mergeability } }, async (request) => {
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
