import type { StageKnownContentDeps } from '@sluice/ingest';
import type { AppServices } from './app-services.js';

/** What the routes hand ingest to stage content: the services, with the workspace quota from the config. */
export function ingestDeps(services: AppServices): StageKnownContentDeps {
  return { ...services, quota: services.config.workspaceQuota };
}
