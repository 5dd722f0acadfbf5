import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { queuePrefix } from './ingest-queue.js';

/**
 * Digest jobs start on a large part while its body still arrives: the API enqueues one once the
 * part has filled its first spool chunk, and the worker reads the chunks as the API writes them
 * (the DigestBoard in Redis says which are written), inflating and hashing into a pending version
 * object. The request's ingest job later takes the digest's result instead of streaming the part
 * again, or streams it itself when the digest did not finish (see IngestRunner).
 */
export const digestQueueName = 'digest';

export interface DigestJobData {
  /** Names the digest's board in Redis; the part's `digest` field carries it to the ingest job. */
  digestId: string;
  path: string;
  gzip: boolean;
}

/** The pending version object a digest writes (spool/pending/<this>): the API removes it when the request fails. */
export function digestPendingId(digestId: string): string {
  return `${digestId}-digest`;
}

export type DigestQueue = Queue<DigestJobData, void, 'digest'>;

export function createDigestQueue(connection: ConnectionOptions, keyPrefix: string): DigestQueue {
  return new Queue<DigestJobData, void, 'digest'>(digestQueueName, { connection, prefix: queuePrefix(keyPrefix) });
}

/**
 * One attempt: a digest that dies is not worth repeating, since the ingest job streams the part
 * itself when its digest stops beating.
 */
export const digestJobOptions: JobsOptions = { attempts: 1, removeOnComplete: true, removeOnFail: { age: 3600 } };
