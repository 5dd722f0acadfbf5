import type { Logger } from 'pino';
import type { Config } from '@sluice/core';
import { SpoolSweeper, type SweeperDeps } from '@sluice/ingest';
import type { LegacyContent } from '@sluice/repository';
import { startWorker, type WorkerDeps } from '@sluice/worker';
import { bullConnection } from './redis-connections.js';

export interface WorkerSide {
  /** Jobs being worked on now. */
  running(): number;
  /** No new jobs, running ones finished (none: `force`, without waiting on Redis), threads gone. */
  close(force: boolean): Promise<void>;
}

/** What the worker half takes of the node's services (see workerSideDeps). */
export interface WorkerSideDeps {
  worker: WorkerDeps;
  sweeper: SweeperDeps;
  /** Moved into the content buckets once at start (several worker sides doing so at once is safe). */
  legacyContent: LegacyContent;
}

/** The worker half of a node: the BullMQ workers with their Piscina threads, and the spool sweeper. */
export function startWorkerSide(
  config: Config,
  deps: WorkerSideDeps,
  logger: Logger,
  onRedisError?: (error: Error) => void,
): WorkerSide {
  const worker = startWorker(deps.worker, {
    connection: bullConnection(config.redis),
    keyPrefix: config.keyPrefix,
    limits: config.limits,
    quota: config.workspaceQuota,
    threads: config.threads,
    concurrency: config.workerConcurrency,
    retentionSeconds: config.jobRetentionSeconds,
    // an upload silent this long is one whose API node died; a tiny grace (tests) shortens the wait
    digestStallSeconds: Math.min(config.spoolGraceSeconds, 60),
    logger: logger.child({ component: 'worker' }),
    ...(onRedisError ? { onError: onRedisError } : {}),
  });
  const sweeper = new SpoolSweeper(deps.sweeper, {
    keyPrefix: config.keyPrefix,
    graceSeconds: config.spoolGraceSeconds,
    logger,
  });
  sweeper.start();
  // Reads fall back to the legacy keys meanwhile; a migration cut short is run again at the next start.
  deps.legacyContent.migrate().then(
    (moved) => {
      if (moved > 0) logger.info({ moved }, 'moved the content index into content buckets');
    },
    (error: unknown) => {
      const err = (error as Error).message;
      logger.warn({ err }, 'moving the content index into content buckets failed; retried at the next start');
    },
  );
  return {
    running: () => worker.running(),
    close: async (force) => {
      sweeper.stop();
      await worker.close(force);
    },
  };
}
