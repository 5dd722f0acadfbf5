import { Queue, QueueEvents, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { IngestJobData, IngestJobResult } from './ingest-job.js';

export const ingestQueueName = 'ingest';

/**
 * BullMQ's key prefix: hash-tagged, so every key of the queue lands on one Redis Cluster slot,
 * and under SLUICE_KEY_PREFIX, so several instances or test runs share one Redis.
 */
export function queuePrefix(keyPrefix: string): string {
  return `{${keyPrefix}:q}`;
}

/**
 * Stall detection: a worker renews its job lock every `lockDuration / 2`; a job whose lock
 * lapses (its worker died) is retried at the next check, so recovery takes at most about
 * lockDuration + stalledInterval. The BullMQ defaults (30 s each) are too slow for an ingest path.
 */
export const stallSettings = { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 10 } as const;

export function ingestJobOptions(retentionSeconds: number): JobsOptions {
  return {
    attempts: 8,
    backoff: { type: 'exponential', delay: 500 },
    removeOnComplete: { age: retentionSeconds },
    removeOnFail: { age: retentionSeconds },
  };
}

export type IngestQueue = Queue<IngestJobData, IngestJobResult, 'ingest'>;

export function createIngestQueue(connection: ConnectionOptions, keyPrefix: string): IngestQueue {
  return new Queue<IngestJobData, IngestJobResult, 'ingest'>(ingestQueueName, {
    connection,
    prefix: queuePrefix(keyPrefix),
  });
}

/** Completion events of the queue, for synchronous uploads waiting on their job. */
export function createIngestEvents(connection: ConnectionOptions, keyPrefix: string): QueueEvents {
  return new QueueEvents(ingestQueueName, { connection, prefix: queuePrefix(keyPrefix) });
}
