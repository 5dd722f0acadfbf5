import type { Job } from 'bullmq';
import { SluiceError } from '@sluice/core';
import type { IngestAttempt } from '@sluice/ingest';
import type { IngestJobData, IngestJobResult } from '@sluice/queue';

/** An ingest job as the runner takes it. BullMQ ids every job it hands a worker; its type does not say so. */
export function ingestAttempt(job: Job<IngestJobData, IngestJobResult>): IngestAttempt {
  const { id } = job;
  if (id === undefined) throw new SluiceError('internal', `ingest job ${job.name} came without an id`);
  return { id, data: job.data, updateProgress: (progress) => job.updateProgress(progress) };
}
