import { Queue, QueueEvents, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { CommitView } from '@sluice/protocol';
import { queuePrefix } from './ingest-queue.js';

export const commitQueueName = 'commit';
/** Commit jobs' ids start with this, so the jobs API knows which queue to ask. */
export const commitJobPrefix = 'commit-';

export interface CommitJobData {
  namespace: string;
  repo: string;
  /** The repository the commit was asked of: one deleted and created again under its name is another. */
  repoUuid?: string;
  workspaceId: string;
  branch: string;
  message: string;
  author: string;
  email: string;
}

export interface CommitJobResult {
  commit: CommitView;
}

export type CommitQueue = Queue<CommitJobData, CommitJobResult, 'commit'>;

export function createCommitQueue(connection: ConnectionOptions, keyPrefix: string): CommitQueue {
  return new Queue<CommitJobData, CommitJobResult, 'commit'>(commitQueueName, {
    connection,
    prefix: queuePrefix(keyPrefix),
  });
}

export function commitJobOptions(retentionSeconds: number): JobsOptions {
  return {
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: retentionSeconds },
    removeOnFail: { age: retentionSeconds },
  };
}

/** Commit jobs' events, for a request that waits for its commit (the synchronous commit). */
export function createCommitEvents(connection: ConnectionOptions, keyPrefix: string): QueueEvents {
  return new QueueEvents(commitQueueName, { connection, prefix: queuePrefix(keyPrefix) });
}
