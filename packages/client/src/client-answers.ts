import type { CommitView, FileResult, JobView, WorkspaceView } from '@sluice/protocol';

// The answers' shapes are the server's own (@sluice/protocol), under the names this SDK always used.
export type Commit = CommitView;
export type Workspace = WorkspaceView;
export type { FileResult };
export type Job = JobView;

/** A synchronous upload answers `paths`; sluice answers 202 and a job when asked to (`async`). */
export type UploadAnswer =
  { paths: string[]; job?: undefined; deduplicated?: number } | { paths?: undefined; job: Job };
