import type { WorkspaceCommitter } from '@sluice/repository';
import type { IngestRunnerDeps, IngestTotals } from '@sluice/ingest';

/** What the ingest runner is built on, less what the worker's settings give it (limits, quota, the thread pool). */
type RunnerServices = Pick<
  IngestRunnerDeps,
  'store' | 'objects' | 'versions' | 'versionWriter' | 'staging' | 'repos' | 'workspaces' | 'digestBoard'
>;

/** The services the worker runs its jobs on, built once per process by the entry (apps/sluice). */
export interface WorkerDeps extends RunnerServices {
  committer: WorkspaceCommitter;
  /** The dashboard's counters of files, bytes and commits. */
  totals: IngestTotals;
}
