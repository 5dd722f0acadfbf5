export * from './commit-view.js';
export * from './job-view.js';
