// In the order an upload goes through ingest: received, its large parts' digests taken early, the job's run, staged.
export * from './receive/spool-sweeper.js';
export * from './receive/spool-multipart.js';
export * from './receive/receive-chunk.js';
export * from './receive/ingest-deps.js';
export * from './receive/content-hash.js';
export * from './receive/upload-files.js';
export * from './receive/store-versions.js';
export * from './receive/complete-chunked-upload.js';
export * from './receive/begin-resumable-upload.js';
export * from './receive/receive-resumable-part.js';
export * from './digest/digest-board.js';
export * from './digest/run-digest.js';
export * from './job/ingest-totals.js';
export * from './job/ingest-attempt.js';
export * from './job/ingest-runner.js';
export * from './job/inflate-task-file.js';
export type { InflateLimits, InflateTask, InflateTaskResult } from './job/threads/inflate-task.js';
export * from './stage/stage-known-content.js';
