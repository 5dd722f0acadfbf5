export * from './version-index.js';
export * from './version-writer.js';
export * from './version-reader.js';
export * from './pack-index.js';
export * from './content-buckets.js';
export * from './legacy-content.js';
export * from './store-order-reader.js';
