export * from './blob-store.js';
export * from './blob-keys.js';
export * from './fs-blob-store.js';
export * from './s3-blob-store.js';
export * from './counting-blob-store.js';
export * from './create-blob-store.js';
export * from './read-exact.js';
export * from './memory-blob-store.js';
