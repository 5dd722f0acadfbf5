import { randomUUID } from 'node:crypto';
import { awaitJob, commitJobOptions, commitJobPrefix, jobLocation } from '@sluice/queue';
import { wantsAsync } from '../wants-async.js';
import { commitJobView } from './job-view.js';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { commitView } from './views.js';
import type { Answer, ReplyOf, RequestOf, TypedApp } from '../openapi/schema-kit.js';
import { commit, commitDeprecated, mergeability } from './workspace-commit-routes.schema.js';

/** Commit a workspace onto a branch, its deprecated alias, and mergeability (docs/architecture.md#commits). */
export function workspaceCommitRoutes(
  app: TypedApp,
  { committer, commitQueue, commitEvents, config }: AppServices,
): void {
  const jobOptions = commitJobOptions(config.jobRetentionSeconds);

  // Every commit is the worker's commit job (one home): a synchronous one waits for its job and
  // answers as the commit would have; with Prefer: respond-async, 202 and the job to poll (a large
  // workspace's commit outlives any proxy's timeout).
  const commitTo = async (
    request: RequestOf<typeof commit | typeof commitDeprecated>,
    reply: ReplyOf<typeof commit | typeof commitDeprecated>,
  ): Promise<Answer<typeof commit> | Answer<typeof commit, 202>> => {
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
      reply.header('location', jobLocation(job.id as string)).status(202);
      return success('resource_created', { job: await commitJobView(job) });
    }
    const done = await awaitJob(job, commitEvents, config.syncTimeoutSeconds, 'error');
    return success('resource_created', { commit: done.commit });
  };
  app.post('/merge/*', { schema: commit }, commitTo);
  app.post('/commit/*', { schema: commitDeprecated }, commitTo);

  app.get('/merge/*', { schema: mergeability }, async (request) => {
    const { namespace, repo } = request.params;
    const result = await committer.mergeability(namespace, repo, request.workspace, request.params['*']);
    return success('resource_found', {
      is_mergeable: result.isMergeable,
      conflicts: result.conflicts.map((path) => ({ path })),
      commits: result.commits.map(commitView),
    });
  });
}
