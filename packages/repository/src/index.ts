// A repository's state, in the order data goes through it: Redis, where all of it is kept track of;
// uploads in progress; workspaces and their stages; versions (the content); history (commits and trees).
export * from './redis/index.js';
export * from './uploads/index.js';
export * from './workspaces/index.js';
export * from './versions/index.js';
export * from './history/index.js';
