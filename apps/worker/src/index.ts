export * from './start-worker.js';
export * from './ingest-processor.js';
export * from './worker-deps.js';
