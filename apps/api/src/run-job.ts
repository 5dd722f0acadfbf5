import type { Job, QueueEvents } from 'bullmq';
import { SluiceError } from '@sluice/core';
import type { IngestJobData, IngestJobResult, IngestQueue } from '@sluice/queue';
import { jobLocation } from './routes/job-view.js';

export type IngestJob = Job<IngestJobData, IngestJobResult>;

/**
 * Enqueues a job under `jobId`. When a job with that id exists already (an idempotent retry,
 * a concurrent twin) that job stands and `onDuplicate` cleans up what this request prepared.
 */
export async function enqueueJob(queue: IngestQueue, name: 'ingest', data: IngestJobData, jobId: string, options: Parameters<IngestQueue['add']>[2], onDuplicate: () => Promise<void>): Promise<IngestJob> {
  const job = await queue.add(name, data, { ...options, jobId });
  // add() returns a Job built from our data even when the id existed: read back what was stored.
  const stored = await queue.getJob(jobId);
  if (stored && stored.data.spoolKeys[0] !== data.spoolKeys[0]) {
    await onDuplicate();
    return stored;
  }
  return job;
}

/** Waits for a job to finish: its result, or 504 (still running, poll it) or 503 (it failed). */
export async function awaitJob(job: IngestJob, events: QueueEvents, timeoutSeconds: number): Promise<IngestJobResult> {
  try {
    return (await job.waitUntilFinished(events, timeoutSeconds * 1000)) as IngestJobResult;
  } catch (error) {
    const timedOut = /timed out|Job wait/i.test((error as Error).message);
    const location = jobLocation(job.id as string);
    throw new SluiceError(timedOut ? 'job_timeout' : 'job_failed', timedOut
      ? `job ${job.id} is still running; poll ${location}`
      : `job ${job.id} failed: ${(error as Error).message}`, { fields: { job_id: job.id, location } });
  }
}
