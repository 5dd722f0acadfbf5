export * from './redis-keys.js';
export * from './lru-cache.js';
export * from './object-store.js';
export * from './version-index.js';
export * from './repo-store.js';
export * from './workspace-store.js';
export * from './staging-index.js';
export * from './stage-script.js';
