export * from './redis-client.js';
export * from './redis-keys.js';
export * from './redis-failure.js';
