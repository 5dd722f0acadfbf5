export * from './workspace-store.js';
export * from './staging-index.js';
export * from './stage-editor.js';
export * from './staged-entry-codec.js';
