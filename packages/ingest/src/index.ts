export * from './spool-layout.js';
export * from './spool-writer.js';
export * from './chunk-cutter.js';
export * from './stream-part.js';
export * from './await-digest.js';
export * from './spool-sweeper.js';
export * from './inflate-limits.js';
