export * from './ingest-metrics.js';
export * from './metrics-server.js';
