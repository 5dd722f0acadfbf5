import type { Job, JobsOptions, QueueEvents } from 'bullmq';
import { awaitJob } from './await-job.js';
import type { IngestJobData, IngestJobResult } from './ingest-job.js';
import { ingestJobOptions, type IngestQueue } from './ingest-queue.js';

export type IngestJob = Job<IngestJobData, IngestJobResult>;

/**
 * The ingest queue as a request uses it: enqueue a job under an id, find one, wait for one
 * (answered as awaitJob's 'job' failure mode: job_timeout, job_failed, both naming the job).
 */
export class IngestJobs {
  private readonly options: JobsOptions;
  private readonly syncTimeoutSeconds: number;

  constructor(
    private readonly queue: IngestQueue,
    private readonly events: QueueEvents,
    settings: { retentionSeconds: number; syncTimeoutSeconds: number },
  ) {
    this.options = ingestJobOptions(settings.retentionSeconds);
    this.syncTimeoutSeconds = settings.syncTimeoutSeconds;
  }

  async find(jobId: string): Promise<IngestJob | undefined> {
    return this.queue.getJob(jobId);
  }

  /**
   * Enqueues a job under `jobId`. When a job with that id exists already (an idempotent retry,
   * a concurrent twin) that job stands and `onDuplicate` cleans up what this request prepared.
   */
  async enqueue(data: IngestJobData, jobId: string, onDuplicate: () => Promise<void>): Promise<IngestJob> {
    const job = await this.queue.add('ingest', data, { ...this.options, jobId });
    // add() returns a Job built from our data even when the id existed: read back what was stored.
    const stored = await this.queue.getJob(jobId);
    if (stored && stored.data.spoolKeys[0] !== data.spoolKeys[0]) {
      await onDuplicate();
      return stored;
    }
    return job;
  }

  /** The job's result once it is done, or 504 (still running, poll it), or its failure. */
  async wait(job: IngestJob): Promise<IngestJobResult> {
    return awaitJob(job, this.events, this.syncTimeoutSeconds);
  }
}
