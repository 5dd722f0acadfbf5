import type { Job } from 'bullmq';
import { SluiceError } from '@sluice/core';
import type { RepoStore, WorkspaceCommitter, WorkspaceStore } from '@sluice/repository';
import type { CommitJobData, CommitJobResult } from '@sluice/queue';

/**
 * Runs a queued commit (a large workspace committed with `Prefer: respond-async`). The job id is
 * the commit's token: a retry after the worker died takes over its lease, or finds it landed.
 * Conflicts, nothing to commit, a missing workspace are not retried (see toJobError).
 */
export async function processCommitJob(
  job: Job<CommitJobData, CommitJobResult>,
  repos: RepoStore,
  workspaces: WorkspaceStore,
  committer: WorkspaceCommitter,
): Promise<CommitJobResult> {
  const { namespace, repo, workspaceId, branch, message, author, email } = job.data;
  // a commit queued before its repository was deleted must not commit the workspace of the same id
  // in a repository created again under the name
  const current = await repos.get(namespace, repo);
  if (current === null || (job.data.repoUuid !== undefined && current.uuid !== job.data.repoUuid)) {
    throw new SluiceError('repo_not_found', `Repository '${namespace}/${repo}' was deleted`);
  }
  const workspace = await workspaces.require(namespace, repo, workspaceId);
  const commit = await committer.commit(
    namespace,
    repo,
    workspace,
    branch,
    { message, author, email },
    {
      token: job.id as string,
      onProgress: (progress) => job.updateProgress({ ...progress }),
    },
  );
  const { root: _root, ...view } = commit;
  return { commit: view };
}
