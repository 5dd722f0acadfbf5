export * from './ingest-job.js';
export * from './ingest-queue.js';
export * from './commit-job.js';
export * from './digest-job.js';
export * from './job-id.js';
export * from './job-failure.js';
export * from './job-location.js';
export * from './await-job.js';
