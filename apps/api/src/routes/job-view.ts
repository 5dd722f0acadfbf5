import type { Job } from 'bullmq';
import type { ErrorCode } from '@sluice/core';
import type { CommitJobView, IngestJobView, IngestProgress, JobHeaderView, JobState } from '@sluice/protocol';
import {
  readJobFailure,
  type CommitJobData,
  type CommitJobResult,
  type IngestJobData,
  type IngestJobResult,
} from '@sluice/queue';

/** BullMQ's states in the four a client needs; a job between attempts is queued again. */
function jobState(bullState: string): JobState {
  if (bullState === 'active' || bullState === 'completed' || bullState === 'failed') return bullState;
  return 'queued';
}

/**
 * The state of a job object as read. The job and its state are two reads: a job that finished
 * in between would read "completed" with none of its results, so a finished state counts only
 * once the job object itself shows it finished (the next poll sees it).
 */
async function observedState(job: Job): Promise<JobState> {
  const state = jobState(await job.getState());
  return (state === 'completed' || state === 'failed') && job.finishedOn === undefined ? 'active' : state;
}

/** A failed job's error as the jobs API shows it. */
function jobError(reason: string | undefined): { code: ErrorCode; message: string } {
  const { code, message } = readJobFailure(reason);
  return { code, message };
}

/** What every job shows: who it is for, when, how often it was tried, and why it failed. */
function common(
  job: Job<{ namespace: string; repo: string; workspaceId: string }>,
  kind: 'ingest' | 'commit',
  state: JobState,
): JobHeaderView {
  return {
    id: job.id as string,
    kind,
    state,
    namespace: job.data.namespace,
    repo_name: job.data.repo,
    workspace_id: job.data.workspaceId,
    created_at: new Date(job.timestamp).toISOString(),
    finished_at: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    attempts: job.attemptsMade,
    ...(state === 'failed' ? { error: jobError(job.failedReason) } : {}),
  };
}

/** The fields every view of a job starts with (the jobs API, the dashboard's rows), its state as observed. */
export async function jobHeader(
  job: Job<{ namespace: string; repo: string; workspaceId: string }>,
  kind: 'ingest' | 'commit',
): Promise<JobHeaderView> {
  return common(job, kind, await observedState(job));
}

/** A job as the jobs API shows it: state, progress, and once done the per-file results. */
export async function jobView(job: Job<IngestJobData, IngestJobResult>): Promise<IngestJobView> {
  const state = await observedState(job);
  const reported = job.progress as Partial<IngestProgress> | number;
  const progress: IngestProgress =
    typeof reported === 'object' && reported !== null && 'files_total' in reported
      ? (reported as IngestProgress)
      : { files_done: 0, files_total: job.data.parts.length, bytes_done: 0, bytes_total: job.data.bytes };
  const result = job.returnvalue as IngestJobResult | null | undefined;
  return {
    ...common(job, 'ingest', state),
    kind: 'ingest',
    progress:
      state === 'completed'
        ? { ...progress, files_done: progress.files_total, bytes_done: progress.bytes_total }
        : progress,
    ...(result ? { paths: result.paths, files: result.files, deduplicated: result.deduplicated } : {}),
  };
}

/** A queued commit as the jobs API shows it: state, phase, and once landed the commit. */
export async function commitJobView(job: Job<CommitJobData, CommitJobResult>): Promise<CommitJobView> {
  const state = await observedState(job);
  return {
    ...common(job, 'commit', state),
    kind: 'commit',
    branch: job.data.branch,
    progress:
      typeof job.progress === 'object' && job.progress !== null ? (job.progress as Record<string, unknown>) : null,
    ...(job.returnvalue ? { commit: job.returnvalue.commit } : {}),
  };
}
