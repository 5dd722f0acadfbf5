import type { DataType, ErrorCode } from '@sluice/core';
import type { CommitView } from './commit-view.js';

/** How a staged file compares with the workspace's base commit. */
export type StagedOutcome = 'added' | 'modified' | 'unchanged';

/** Why a file or a job failed: a stable code and a message for people. */
export interface FailureView {
  code: ErrorCode;
  message: string;
}

/** One file of an upload: staged with its content's facts, or failed alone. */
export type FileResult =
  | { path: string; status: StagedOutcome; hash: string; size: number; mime_type: string; data_type: DataType }
  | { path: string; error: FailureView };

export interface IngestProgress {
  files_done: number;
  files_total: number;
  bytes_done: number;
  bytes_total: number;
}

/** BullMQ's states in the four a client needs; a job between attempts is queued again. */
export type JobState = 'queued' | 'active' | 'completed' | 'failed';

/** What every job shows: who it is for, when, how often it was tried, and why it failed. */
export interface JobHeaderView {
  id: string;
  kind: 'ingest' | 'commit';
  state: JobState;
  namespace: string;
  repo_name: string;
  workspace_id: string;
  created_at: string;
  finished_at: string | null;
  attempts: number;
  error?: FailureView;
}

/** An upload's job: progress, and once done the per-file results. */
export interface IngestJobView extends JobHeaderView {
  kind: 'ingest';
  progress: IngestProgress;
  paths?: string[];
  files?: FileResult[];
  /** Files whose content the server already had. */
  deduplicated?: number;
}

/** A queued commit: its phase while it runs, the commit once it landed. */
export interface CommitJobView extends JobHeaderView {
  kind: 'commit';
  branch: string;
  progress: Record<string, unknown> | null;
  commit?: CommitView;
}

export type JobView = IngestJobView | CommitJobView;
