import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import type { Limits } from '@sluice/core';
import { redisFailure, type WorkspaceQuota } from '@sluice/repository';
import {
  commitQueueName,
  digestQueueName,
  ingestQueueName,
  queuePrefix,
  readJobFailure,
  stallSettings,
  toJobError,
  type JobFailure,
  type CommitJobData,
  type CommitJobResult,
  type DigestJobData,
  type IngestJobData,
  type IngestJobResult,
} from '@sluice/queue';
import { processCommitJob } from './commit-processor.js';
import { inflateTaskFile, IngestRunner, runDigest, type InflateTaskResult } from '@sluice/ingest';
import { countDependencyError, ingestMetrics } from '@sluice/telemetry';
import { observeThreadPool } from './observe-thread-pool.js';
import { ingestAttempt } from './ingest-attempt.js';
import type { WorkerDeps } from './worker-deps.js';

export interface WorkerSettings {
  /** BullMQ's blocking connections: they retry forever, where the services' Redis client fails fast. */
  connection: ConnectionOptions;
  keyPrefix: string;
  limits: Limits;
  quota: WorkspaceQuota;
  threads: number;
  concurrency: number;
  retentionSeconds: number;
  /** A digest whose part gets no new chunk for this long gives up (the API node is gone). */
  digestStallSeconds: number;
  logger: Logger;
  /**
   * Where the BullMQ workers' own errors go (mostly Redis going away): the process entry reports
   * them a few lines per outage; by default each is logged.
   */
  onError?: (error: Error) => void;
}

export interface RunningWorker {
  worker: Worker<IngestJobData, IngestJobResult>;
  pool: Piscina;
  /**
   * Stops taking jobs, lets running ones finish, then stops the threads. `force` (nothing is
   * running) closes the connections without a word to Redis, which may be away.
   */
  close(force?: boolean): Promise<void>;
  /** Jobs this process is working on now. */
  running(): number;
}

/** How long the job's last attempt ran. */
function elapsed(job: Job): number | undefined {
  return job.finishedOn !== undefined && job.processedOn !== undefined ? job.finishedOn - job.processedOn : undefined;
}

/** One log line per job: counts, and the first failures by path and code (paths, never contents). */
function ingestSummary(result: IngestJobResult) {
  const failures = result.files.flatMap((f) => ('error' in f ? [{ path: f.path, code: f.error.code }] : []));
  return {
    files: result.files.length,
    staged: result.paths.length,
    bytes: result.files.reduce((sum, f) => sum + ('size' in f ? f.size : 0), 0),
    deduplicated: result.deduplicated,
    failed: failures.length,
    ...(failures.length > 0 ? { failures: failures.slice(0, 5) } : {}),
  };
}

/** A failed attempt, and the dependency behind it when Redis or the store was the cause. */
function countFailure(queue: 'ingest' | 'commit', failure: JobFailure): void {
  ingestMetrics.jobs.inc({ queue, result: 'failed' });
  countDependencyError(failure.code);
}

export function startWorker(deps: WorkerDeps, settings: WorkerSettings): RunningWorker {
  const pool = new Piscina({
    filename: inflateTaskFile,
    minThreads: settings.threads,
    maxThreads: settings.threads,
    idleTimeout: 60_000,
  });
  let running = 0;
  // Every job's failure leaves as a code of ours (see toJobError), whoever threw it.
  const counted = async <T>(work: () => Promise<T>): Promise<T> => {
    running += 1;
    try {
      return await work();
    } catch (error) {
      throw toJobError(error, redisFailure);
    } finally {
      running -= 1;
    }
  };
  const { store, objects, versions, versionWriter, staging, repos, workspaces, committer, digestBoard } = deps;
  const runner = new IngestRunner({
    store,
    objects,
    versions,
    versionWriter,
    staging,
    repos,
    workspaces,
    digestBoard,
    inflate: async (task) => (await pool.run(task, { transferList: [task.segment] })) as InflateTaskResult,
    limits: settings.limits,
    quota: settings.quota,
    retentionSeconds: settings.retentionSeconds,
  });
  const digest = {
    store,
    board: digestBoard,
    limits: settings.limits,
    logger: settings.logger,
    stallMs: settings.digestStallSeconds * 1000,
  };
  const worker = new Worker<IngestJobData, IngestJobResult>(
    ingestQueueName,
    (job) => counted(() => runner.run(ingestAttempt(job))),
    {
      connection: settings.connection,
      prefix: queuePrefix(settings.keyPrefix),
      concurrency: settings.concurrency,
      ...stallSettings,
    },
  );
  // Commits are few and long; two at a time per process leaves the threads to ingest.
  const commit = (job: Job<CommitJobData, CommitJobResult>) => processCommitJob(job, repos, workspaces, committer);
  const commits = new Worker<CommitJobData, CommitJobResult>(commitQueueName, (job) => counted(() => commit(job)), {
    connection: settings.connection,
    prefix: queuePrefix(settings.keyPrefix),
    concurrency: 2,
    ...stallSettings,
  });
  // Two large parts digested at once per process: each mostly waits on zlib and the disk.
  const digests = new Worker<DigestJobData>(digestQueueName, (job) => counted(() => runDigest(digest, job.data)), {
    connection: settings.connection,
    prefix: queuePrefix(settings.keyPrefix),
    concurrency: 2,
    ...stallSettings,
    maxStalledCount: 0, // a digest whose worker died is not restarted: the ingest job streams the part
  });
  observeThreadPool(pool, settings.threads);
  const log = settings.logger;
  commits.on('completed', (job, result) => {
    ingestMetrics.jobs.inc({ queue: 'commit', result: 'completed' });
    log.info({ jobId: job.id, commit: result.commit.id, ms: elapsed(job) }, 'commit job completed');
    deps.totals.addCommit().catch((error: unknown) => {
      log.warn({ err: (error as Error).message }, 'could not count the commit in the totals');
    });
  });
  commits.on('failed', (job, error) => {
    const failure = readJobFailure(error.message);
    countFailure('commit', failure);
    log.warn(
      { jobId: job?.id, attempt: job?.attemptsMade, code: failure.code, err: failure.message },
      'commit job attempt failed',
    );
  });
  worker.on('completed', (job, result) => {
    ingestMetrics.jobs.inc({ queue: 'ingest', result: 'completed' });
    const summary = ingestSummary(result);
    log.info({ jobId: job.id, ms: elapsed(job), ...summary }, 'ingest job completed');
    deps.totals.add(summary.staged, summary.bytes, summary.failed).catch((error: unknown) => {
      log.warn({ err: (error as Error).message }, 'could not count the job in the totals');
    });
  });
  worker.on('failed', (job, error) => {
    const failure = readJobFailure(error.message);
    countFailure('ingest', failure);
    log.warn(
      { jobId: job?.id, attempt: job?.attemptsMade, code: failure.code, err: failure.message },
      'ingest job attempt failed',
    );
  });
  worker.on('stalled', (jobId) => log.warn({ jobId }, 'ingest job stalled; it will be retried'));
  const onError = settings.onError ?? ((error: Error) => log.error({ err: error.message }, 'worker error'));
  for (const each of [worker, commits, digests] as Array<{
    on(event: 'error', listener: (error: Error) => void): unknown;
  }>)
    each.on('error', onError);
  return {
    worker,
    pool,
    running: () => running,
    close: async (force = false) => {
      await Promise.all([worker.close(force), commits.close(force), digests.close(force)]);
      await pool.destroy();
    },
  };
}
