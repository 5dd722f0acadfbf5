export * from './upload-store.js';
