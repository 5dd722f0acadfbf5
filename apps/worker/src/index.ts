export * from './start-worker.js';
export * from './worker-deps.js';
