import { UnrecoverableError, type Job } from 'bullmq';
import { errorCodeOf, SluiceError } from '@sluice/core';
import type { WorkspaceCommitter, WorkspaceStore } from '@sluice/index';
import { failureReason, type CommitJobData, type CommitJobResult } from '@sluice/queue';

/**
 * Runs a queued commit (a large workspace committed with `Prefer: respond-async`). The job id is
 * the commit's token: a retry after the worker died takes over its lease, or finds it landed.
 */
export async function processCommitJob(job: Job<CommitJobData, CommitJobResult>, workspaces: WorkspaceStore, committer: WorkspaceCommitter): Promise<CommitJobResult> {
  const { namespace, repo, workspaceId, branch, message, author, email } = job.data;
  try {
    const workspace = await workspaces.require(namespace, repo, workspaceId);
    const commit = await committer.commit(namespace, repo, workspace, branch, { message, author, email }, {
      token: job.id as string,
      onProgress: (progress) => job.updateProgress({ ...progress }),
    });
    const { root: _root, ...view } = commit;
    return { commit: view };
  } catch (error) {
    // Conflicts, nothing to commit, a missing workspace: retrying cannot help.
    if (error instanceof SluiceError && !error.retryable) throw new UnrecoverableError(failureReason(error.code, error.message));
    if (error instanceof Error && errorCodeOf(error) === 'internal') error.message = failureReason('internal', error.message);
    throw error;
  }
}
