import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { commitJobOptions, commitJobPrefix } from '@sluice/queue';
import { wantsAsync } from '../wants-async.js';
import { commitJobView, jobLocation } from './job-view.js';
import type { CommitBody } from '@sluice/protocol';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { commitView } from './views.js';
import { awaitJob } from '../run-job.js';
import type { WorkspaceParams } from './workspace-routes.js';
import { routeSchemas } from '../openapi/route-schemas.js';

type BranchParams = WorkspaceParams & { '*': string };

/** Commit a workspace onto a branch, its deprecated alias, and mergeability (docs/architecture.md#commits). */
export function workspaceCommitRoutes(
  app: FastifyInstance,
  { committer, commitQueue, commitEvents, config }: AppServices,
): void {
  const base = '/api/repos/:namespace/:repo/workspaces/:workspaceId';
  const jobOptions = commitJobOptions(config.jobRetentionSeconds);

  // Every commit is the worker's commit job (one home): a synchronous one waits for its job and
  // answers as the commit would have; with Prefer: respond-async, 202 and the job to poll (a large
  // workspace's commit outlives any proxy's timeout).
  const commit = async (request: FastifyRequest<{ Params: BranchParams; Body: CommitBody }>, reply: FastifyReply) => {
    const { namespace, repo } = request.params;
    const { message, author, email } = request.body;
    const data = {
      namespace,
      repo,
      repoUuid: request.repository.uuid,
      workspaceId: request.workspace.id,
      branch: request.params['*'],
      message,
      author,
      email,
    };
    const job = await commitQueue.add('commit', data, { ...jobOptions, jobId: `${commitJobPrefix}${randomUUID()}` });
    if (wantsAsync(request)) {
      reply.header('location', jobLocation(job.id as string));
      return reply.status(202).send(success('resource_created', { job: await commitJobView(job) }));
    }
    const done = await awaitJob(job, commitEvents, config.syncTimeoutSeconds, 'error');
    return success('resource_created', { commit: done.commit });
  };
  app.post<{ Params: BranchParams; Body: CommitBody }>(`${base}/merge/*`, { schema: routeSchemas.commit }, commit);
  app.post<{ Params: BranchParams; Body: CommitBody }>(
    `${base}/commit/*`,
    { schema: routeSchemas.commit_deprecated },
    commit,
  );

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
