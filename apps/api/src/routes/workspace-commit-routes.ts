import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { commitJobOptions, commitJobPrefix } from '@sluice/queue';
import { wantsAsync } from '../wants-async.js';
import { commitJobView, jobLocation } from './job-view.js';
import type { CommitBody } from '@sluice/protocol';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { commitView } from './views.js';
import type { WorkspaceParams } from './workspace-routes.js';
import { routeSchemas } from '../openapi/route-schemas.js';

type BranchParams = WorkspaceParams & { '*': string };

/** Commit a workspace onto a branch (reference §8.2), its deprecated alias, and mergeability (§8.1). */
export function workspaceCommitRoutes(app: FastifyInstance, { committer, commitQueue, config, totals }: AppServices): void {
  const base = '/api/repos/:namespace/:repo/workspaces/:workspaceId';
  const jobOptions = commitJobOptions(config.jobRetentionSeconds);

  const commit = async (request: FastifyRequest<{ Params: BranchParams; Body: CommitBody }>, reply: FastifyReply) => {
    const { namespace, repo } = request.params;
    const workspace = request.workspace;
    const { message, author, email } = request.body;
    const branch = request.params['*'];
    if (wantsAsync(request)) {
      // A commit of a large workspace outlives any proxy's timeout: 202 and a job to poll.
      const job = await commitQueue.add('commit', { namespace, repo, workspaceId: workspace.id, branch, message, author, email }, { ...jobOptions, jobId: `${commitJobPrefix}${randomUUID()}` });
      reply.header('location', jobLocation(job.id as string));
      return reply.status(202).send(success('resource_created', { job: await commitJobView(job) }));
    }
    const created = await committer.commit(namespace, repo, workspace, branch, { message, author, email });
    // counted for the page (a commit job is counted by the worker that ran it); a lost count loses no commit
    await totals.addCommit().catch(() => undefined);
    return success('resource_created', { commit: commitView(created) });
  };
  app.post<{ Params: BranchParams; Body: CommitBody }>(`${base}/merge/*`, { schema: routeSchemas.commit }, commit);
  app.post<{ Params: BranchParams; Body: CommitBody }>(`${base}/commit/*`, { schema: routeSchemas.commit_deprecated }, commit);

  app.get<{ Params: BranchParams }>(`${base}/merge/*`, { schema: routeSchemas.mergeability }, async (request) => {
    const { namespace, repo } = request.params;
    const result = await committer.mergeability(namespace, repo, request.workspace, request.params['*']);
    return success('resource_found', {
      is_mergeable: result.isMergeable,
      conflicts: result.conflicts.map((path) => ({ path })),
      commits: result.commits.map(commitView),
    });
  });
}
