import type { AppServices } from '@sluice/api';
import type { WorkerSideDeps } from './worker-side.js';

/**
 * The worker's and the sweeper's share of the services this process built: each is handed what
 * it names and nothing else, so what a component depends on is read off its own interface.
 */
export function workerSideDeps(services: AppServices): WorkerSideDeps {
  const { store, objects, versions, versionWriter, staging, repos, workspaces, committer, digestBoard } = services;
  const { totals, queue: ingestQueue, uploads, packs, redis, legacyContent } = services;
  return {
    worker: { store, objects, versions, versionWriter, staging, repos, workspaces, committer, digestBoard, totals },
    sweeper: { store, ingestQueue, uploads, packs, redis },
    legacyContent,
  };
}
