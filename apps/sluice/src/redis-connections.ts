import type { ConnectionOptions } from 'bullmq';
import type { RedisTarget } from '@sluice/core';
import { connectRedis } from '@sluice/repository';

/**
 * BullMQ connection options. On one server they are options, so BullMQ opens and closes the
 * connections itself; on a cluster they must be a Cluster instance, which BullMQ duplicates for
 * its blocking connections (and which the caller closes).
 */
function bullOptions(target: RedisTarget, maxRetriesPerRequest: number | null): ConnectionOptions {
  if (target.cluster) return connectRedis(target, { maxRetriesPerRequest });
  return { url: target.urls[0], maxRetriesPerRequest };
}

/** For BullMQ's blocking connections (workers, queue events): they retry forever. */
export function bullConnection(target: RedisTarget): ConnectionOptions {
  return bullOptions(target, null);
}

/**
 * For producers (adding and reading jobs on behalf of an HTTP request): a command fails soon
 * while Redis is down, so the request answers 503 instead of hanging.
 */
export function bullProducerConnection(target: RedisTarget): ConnectionOptions {
  return bullOptions(target, 1);
}
