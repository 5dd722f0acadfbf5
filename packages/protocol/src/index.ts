export * from './envelope.js';
export * from './commit-view.js';
export * from './job-view.js';
export * from './listing-view.js';
export * from './request-bodies.js';
export * from './serde-struct.js';
export * from './upstream-requests.js';
export * from './upstream-answers.js';
