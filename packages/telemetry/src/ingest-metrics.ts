import { Counter, Histogram } from 'prom-client';

/**
 * Stages of an upload, in order: spool (API), gunzip and hash (threads), store and stage (worker).
 * A part too large for a thread task is streamed through gunzip, hash and the store at once: stream
 * (by its digest job while it arrives, or by the ingest job).
 */
export type Stage = 'spool' | 'gunzip' | 'hash' | 'stream' | 'store' | 'stage';

/**
 * What the ingest path reports to Prometheus. Everything lives in prom-client's default registry,
 * so a process running both roles exposes one set; a worker-only process serves it on
 * SLUICE_METRICS_PORT.
 */
export const ingestMetrics = {
  stageSeconds: new Histogram({
    name: 'sluice_stage_duration_seconds',
    help:
      'Time spent per stage of an upload: spool (per request), gunzip and hash (per thread task), stream (per ' +
      'large part), store (per segment), stage (per job)',
    labelNames: ['stage'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  }),
  stageBytes: new Counter({
    name: 'sluice_stage_bytes_total',
    help:
      'Bytes through each stage: spool counts bytes as sent, gunzip inflated bytes, hash hashed bytes, store ' +
      'bytes written to the version store',
    labelNames: ['stage'] as const,
  }),
  files: new Counter({
    name: 'sluice_ingested_files_total',
    help:
      'Files processed by ingest jobs, by outcome: stored (new content), ' +
      'deduplicated (content already stored), failed',
    labelNames: ['outcome'] as const,
  }),
  deduplicatedBytes: new Counter({
    name: 'sluice_deduplicated_bytes_total',
    help: 'Inflated bytes of files whose content the version store already held (not written again)',
  }),
  digests: new Counter({
    name: 'sluice_digests_total',
    help:
      'Large parts whose processing started while they arrived (digest jobs), by what the ingest job made of it: ' +
      'used the result, or streamed the part again (the digest stopped or died)',
    labelNames: ['result'] as const,
  }),
  jobs: new Counter({
    name: 'sluice_jobs_total',
    help: 'Ingest and commit job attempts that ended, by queue and result',
    labelNames: ['queue', 'result'] as const,
  }),
  threadBusySeconds: new Counter({
    name: 'sluice_worker_thread_busy_seconds_total',
    help:
      'Time the worker threads spent inflating and hashing (measured inside the threads); rate() of it over the ' +
      'thread count is their utilisation',
  }),
  dependencyErrors: new Counter({
    name: 'sluice_dependency_errors_total',
    help: 'Errors talking to Redis or the object store (requests answered 503, failed job attempts, connection errors)',
    labelNames: ['dependency'] as const,
  }),
};

// Every labelled series exists from the start at 0, so alerts and rate() see it before its first event.
for (const result of ['used', 'streamed_again']) ingestMetrics.digests.inc({ result }, 0);
for (const dependency of ['redis', 'store']) ingestMetrics.dependencyErrors.inc({ dependency }, 0);
for (const outcome of ['stored', 'deduplicated', 'failed']) ingestMetrics.files.inc({ outcome }, 0);
for (const queue of ['ingest', 'commit'])
  for (const result of ['completed', 'failed']) ingestMetrics.jobs.inc({ queue, result }, 0);

/** Counts an error whose code says Redis or the object store was unreachable; others are not theirs. */
export function countDependencyError(code: string): void {
  if (code === 'redis_unavailable') ingestMetrics.dependencyErrors.inc({ dependency: 'redis' });
  if (code === 'store_unavailable') ingestMetrics.dependencyErrors.inc({ dependency: 'store' });
}

/** Runs `work`, observing its duration under `stage`. */
export async function timed<T>(stage: Stage, work: () => Promise<T>): Promise<T> {
  const end = ingestMetrics.stageSeconds.startTimer({ stage });
  try {
    return await work();
  } finally {
    end();
  }
}
