import type { EventEmitter } from 'node:events';
import { errorCodeOf, SluiceError, type Config } from '@sluice/core';
import { CountingBlobStore, createBlobStore, HandOffBlobStore, spoolPrefix, type BlobStore } from '@sluice/storage';
import {
  connectRedis,
  LegacyContent,
  ObjectStore,
  PackIndex,
  RedisKeys,
  RepoEraser,
  RepoStore,
  StageEditor,
  StagingIndex,
  UploadStore,
  VersionIndex,
  VersionReader,
  VersionWriter,
  WorkspaceCommitter,
  WorkspaceStore,
} from '@sluice/repository';
import { DigestBoard, IngestTotals } from '@sluice/ingest';
import {
  createCommitEvents,
  createCommitQueue,
  createDigestQueue,
  createIngestEvents,
  createIngestQueue,
} from '@sluice/queue';
import { TokenStore, type AppServices } from '@sluice/api';
import { bullConnection, bullProducerConnection } from './redis-connections.js';
import { ingestMetrics } from '@sluice/telemetry';

/**
 * The configured store, waiting for it while it is unreachable: a node started during a store
 * outage comes up when the store does, instead of exiting.
 */
async function reachStore(config: Config, onWait: (error: Error) => void): Promise<BlobStore> {
  const deadline = Date.now() + config.startupWaitSeconds * 1000;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await createBlobStore(config.store);
    } catch (error) {
      if (errorCodeOf(error) !== 'store_unavailable') throw error;
      if (Date.now() > deadline) {
        throw new SluiceError(
          'store_unavailable',
          `the object store did not answer within ${config.startupWaitSeconds} s ` +
            `(${(error as Error).message}); check SLUICE_S3_ENDPOINT and the credentials, or start the store`,
        );
      }
      onWait(error as Error);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Where a running node reports its dependencies failing and coming back (see DependencyWarnings). */
export interface DependencyWatch {
  redis(emitter: EventEmitter): void;
}

export interface ServiceOptions {
  onStoreWait?: (error: Error) => void;
  watch?: DependencyWatch;
  /** The tokens, when the caller read them already (start-up checks local files before waiting on Redis). */
  tokens?: TokenStore | null;
}

/** Spool bytes one process keeps for its own worker: the requests of a busy small-file upload in flight. */
const handOffBytes = 64 * 1024 * 1024;

/** Connects to Redis and the store and builds every service the routes and the worker share. */
export async function createServices(
  config: Config,
  { onStoreWait = () => undefined, watch, tokens }: ServiceOptions = {},
): Promise<AppServices> {
  // Requests fail fast while Redis is down (503 + Retry-After) instead of queueing without bound.
  const redis = connectRedis(config.redis, {
    maxRetriesPerRequest: 2,
    retryStrategy: (times) => Math.min(times * 100, 500),
  });
  // Reconnects by itself; requests report the outage, the metrics count it.
  redis.on('error', () => ingestMetrics.dependencyErrors.inc({ dependency: 'redis' }));
  watch?.redis(redis);
  const storeCounts = new CountingBlobStore(await reachStore(config, onStoreWait));
  const keys = new RedisKeys(config.keyPrefix);
  const objects = new ObjectStore(storeCounts);
  const legacyContent = new LegacyContent(redis, keys);
  const versions = new VersionIndex(redis, keys, legacyContent);
  const packs = new PackIndex(redis, keys, legacyContent);
  const repos = new RepoStore(redis, keys, objects, storeCounts, versions);
  const staging = new StagingIndex(redis, keys);
  const queue = createIngestQueue(bullProducerConnection(config.redis), config.keyPrefix);
  const commitQueue = createCommitQueue(bullProducerConnection(config.redis), config.keyPrefix);
  const digestQueue = createDigestQueue(bullProducerConnection(config.redis), config.keyPrefix);
  const events = createIngestEvents(bullConnection(config.redis), config.keyPrefix);
  const commitEvents = createCommitEvents(bullConnection(config.redis), config.keyPrefix);
  // Unwatched, each of these prints every connection error with its stack.
  for (const emitter of [queue, commitQueue, digestQueue, events, commitEvents] as EventEmitter[]) {
    if (watch) watch.redis(emitter);
    else emitter.on('error', () => undefined);
  }
  // One process serving both roles: its worker takes the spool segments its API has just written
  // from memory instead of reading them back from the store (see HandOffBlobStore).
  const store =
    config.role === 'all'
      ? new HandOffBlobStore(storeCounts, (key) => key.startsWith(spoolPrefix), handOffBytes)
      : storeCounts;
  return {
    config,
    redis,
    store,
    storeCounts,
    objects,
    versions,
    packs,
    legacyContent,
    versionReader: new VersionReader(storeCounts, packs),
    versionWriter: new VersionWriter(storeCounts, packs, config.packBelowBytes),
    repos,
    eraser: new RepoEraser(redis, keys),
    workspaces: new WorkspaceStore(redis, keys, repos),
    staging,
    uploads: new UploadStore(redis, config.keyPrefix),
    totals: new IngestTotals(redis, keys),
    committer: new WorkspaceCommitter(redis, keys, repos, objects),
    stageEditor: new StageEditor(staging, objects, config.workspaceQuota),
    queue,
    commitQueue,
    digestQueue,
    digestBoard: new DigestBoard(redis, keys),
    events,
    commitEvents,
    tokens: tokens !== undefined ? tokens : config.auth.enabled ? TokenStore.load(config.auth.tokensFile) : null,
  };
}

/**
 * Closes the queues and Redis connections `createServices` opened (the store client holds none).
 * With Redis away a polite QUIT, or even BullMQ's disconnect, waits for it: the connections are
 * dropped without waiting (nothing is left to send; the process is on its way out).
 */
export async function closeServices(services: AppServices): Promise<void> {
  const closing = [services.queue, services.commitQueue, services.digestQueue, services.events, services.commitEvents];
  if (services.redis.status === 'ready') await Promise.allSettled(closing.map((each) => each.close()));
  else for (const each of closing) void each.disconnect().catch(() => undefined);
  services.redis.disconnect();
}
