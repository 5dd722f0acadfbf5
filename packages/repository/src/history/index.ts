export * from './repo-store.js';
export * from './object-store.js';
export * from './workspace-committer.js';
export * from './sorted-snapshot.js';
export * from './tree-walk.js';
export * from './tree-diff.js';
export * from './repo-eraser.js';
