import type { Job } from 'bullmq';
import type { WorkspaceCommitter, WorkspaceStore } from '@sluice/index';
import type { CommitJobData, CommitJobResult } from '@sluice/queue';

/**
 * Runs a queued commit (a large workspace committed with `Prefer: respond-async`). The job id is
 * the commit's token: a retry after the worker died takes over its lease, or finds it landed.
 * Conflicts, nothing to commit, a missing workspace are not retried (see toJobError).
 */
export async function processCommitJob(job: Job<CommitJobData, CommitJobResult>, workspaces: WorkspaceStore, committer: WorkspaceCommitter): Promise<CommitJobResult> {
  const { namespace, repo, workspaceId, branch, message, author, email } = job.data;
  const workspace = await workspaces.require(namespace, repo, workspaceId);
  const commit = await committer.commit(namespace, repo, workspace, branch, { message, author, email }, {
    token: job.id as string,
    onProgress: (progress) => job.updateProgress({ ...progress }),
  });
  const { root: _root, ...view } = commit;
  return { commit: view };
}
