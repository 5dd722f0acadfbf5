import { IngestJobs } from '@sluice/queue';
import { RedisKeys } from '@sluice/repository';
import type { IngestDeps } from '@sluice/ingest';
import type { AppServices } from './app-services.js';

/** What the routes hand ingest, built once when they are registered: the services it names, and its config. */
export function ingestDeps(services: AppServices): IngestDeps {
  const { config } = services;
  return {
    store: services.store,
    redis: services.redis,
    keys: new RedisKeys(config.keyPrefix),
    objects: services.objects,
    staging: services.staging,
    repos: services.repos,
    versionReader: services.versionReader,
    workspaces: services.workspaces,
    uploads: services.uploads,
    jobs: new IngestJobs(services.queue, services.events, {
      retentionSeconds: config.jobRetentionSeconds,
      syncTimeoutSeconds: config.syncTimeoutSeconds,
    }),
    early: { queue: services.digestQueue, board: services.digestBoard },
    limits: config.limits,
    quota: config.workspaceQuota,
    // outlives the chunks it names: they are swept once older than the grace period
    chunkTokenSeconds: 2 * config.spoolGraceSeconds,
  };
}
