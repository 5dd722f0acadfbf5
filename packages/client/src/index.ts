export * from './client-error.js';
export * from './remote.js';
export * from './multipart-body.js';
export * from './sluice-client.js';
export * from './local-files.js';
export * from './push.js';
export * from './progress-reporter.js';
export * from './gzip-choice.js';
