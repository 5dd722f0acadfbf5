import type { IngestJobData, IngestProgress } from '@sluice/queue';

/** One attempt of an ingest job, as the queue hands it over. */
export interface IngestAttempt {
  id: string;
  data: IngestJobData;
  updateProgress(progress: IngestProgress): Promise<void>;
}
