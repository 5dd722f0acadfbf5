import { RedisKeys, type UploadStore } from '@sluice/repository';
import type { ChunkedUploadDeps, StageKnownContentDeps } from '@sluice/ingest';
import type { AppServices } from './app-services.js';

export type IngestDeps = StageKnownContentDeps & ChunkedUploadDeps & { uploads: UploadStore };

/** What the routes hand ingest: the services, with what ingest reads from the config. */
export function ingestDeps(services: AppServices): IngestDeps {
  const { config } = services;
  return {
    ...services,
    quota: config.workspaceQuota,
    keys: new RedisKeys(config.keyPrefix),
    // outlives the chunks it names: they are swept once older than the grace period
    chunkTokenSeconds: 2 * config.spoolGraceSeconds,
  };
}
