import type { Job } from 'bullmq';
import type { IngestJobData, IngestJobResult, IngestQueue } from '@sluice/queue';

export type IngestJob = Job<IngestJobData, IngestJobResult>;

/**
 * Enqueues a job under `jobId`. When a job with that id exists already (an idempotent retry,
 * a concurrent twin) that job stands and `onDuplicate` cleans up what this request prepared.
 */
export async function enqueueJob(
  queue: IngestQueue,
  name: 'ingest',
  data: IngestJobData,
  jobId: string,
  options: Parameters<IngestQueue['add']>[2],
  onDuplicate: () => Promise<void>,
): Promise<IngestJob> {
  const job = await queue.add(name, data, { ...options, jobId });
  // add() returns a Job built from our data even when the id existed: read back what was stored.
  const stored = await queue.getJob(jobId);
  if (stored && stored.data.spoolKeys[0] !== data.spoolKeys[0]) {
    await onDuplicate();
    return stored;
  }
  return job;
}

export { awaitJob } from '@sluice/queue';
