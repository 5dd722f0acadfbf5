import { Redis } from 'ioredis';
import type { Config } from '@sluice/core';
import { CountingBlobStore, createBlobStore } from '@sluice/storage';
import { ObjectStore, RedisKeys, RepoStore, StageEditor, StagingIndex, VersionIndex, WorkspaceCommitter, WorkspaceStore } from '@sluice/index';
import { bullConnection, bullProducerConnection, createCommitQueue, createIngestEvents, createIngestQueue } from '@sluice/queue';
import type { AppServices } from './app-services.js';
import { redisOptions } from './redis-options.js';
import { TokenStore } from './auth/token-store.js';

/** Connects to Redis and the store and builds every service the routes and the worker share. */
export async function createServices(config: Config): Promise<AppServices> {
  // Requests fail fast while Redis is down (503 + Retry-After) instead of queueing without bound.
  const redis = new Redis(redisOptions(config.redisUrl, { maxRetriesPerRequest: 2, retryStrategy: (times) => Math.min(times * 100, 500) }));
  redis.on('error', () => undefined); // reconnects by itself; requests report the outage
  const storeCounts = new CountingBlobStore(await createBlobStore(config.store));
  const keys = new RedisKeys(config.keyPrefix);
  const objects = new ObjectStore(storeCounts);
  const versions = new VersionIndex(redis, keys);
  const repos = new RepoStore(redis, keys, objects, storeCounts, versions);
  const staging = new StagingIndex(redis, keys);
  return {
    config,
    redis,
    store: storeCounts,
    storeCounts,
    objects,
    versions,
    repos,
    workspaces: new WorkspaceStore(redis, keys, repos),
    staging,
    committer: new WorkspaceCommitter(redis, keys, repos, objects),
    stageEditor: new StageEditor(staging, objects),
    queue: createIngestQueue(bullProducerConnection(config.redisUrl), config.keyPrefix),
    commitQueue: createCommitQueue(bullProducerConnection(config.redisUrl), config.keyPrefix),
    events: createIngestEvents(bullConnection(config.redisUrl), config.keyPrefix),
    tokens: config.auth.enabled ? TokenStore.load(config.auth.tokensFile) : null,
  };
}
