export * from './error-codes.js';
export * from './sluice-error.js';
export * from './staged-path.js';
export * from './oxen-hash.js';
export * from './sniff-mime.js';
export * from './config.js';
export * from './repo-name.js';
export * from './domain.js';
