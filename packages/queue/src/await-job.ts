import type { Job, QueueEvents } from 'bullmq';
import { SluiceError } from '@sluice/core';
import { readJobFailure } from './job-failure.js';
import { jobLocation } from './job-location.js';

/**
 * How a failed job is answered: `job`, as a job that failed (its id and where to poll it; a bug is
 * job_failed, 503), or `error`, as the worker's own error would have been (a commit's refusals).
 * A refusal answered as `error` names no job, so nobody can poll it: the job is removed before the
 * answer, as a refused request changes nothing. Only for a job no other request waits on (one id a request).
 */
export type FailureAnswer = 'job' | 'error';

/** Waits for a job to finish: its result, or 504 (still running, poll it) or its failure (see FailureAnswer). */
export async function awaitJob<R>(
  job: Job<unknown, R>,
  events: QueueEvents,
  timeoutSeconds: number,
  answer: FailureAnswer = 'job',
): Promise<R> {
  const location = jobLocation(job.id as string);
  // our own clock decides "still running", so no library message has to be read to tell
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed_out'>(
    (resolve) => (timer = setTimeout(() => resolve('timed_out'), timeoutSeconds * 1000)),
  );
  try {
    const finished = await Promise.race([
      job.waitUntilFinished(events, timeoutSeconds * 1000 + 5000) as Promise<R>,
      timedOut,
    ]);
    if (finished === 'timed_out') {
      throw new SluiceError('job_timeout', `job ${job.id} is still running; poll ${location}`, {
        fields: { job_id: job.id, location },
      });
    }
    return finished;
  } catch (error) {
    if (error instanceof SluiceError) throw error;
    const failure = readJobFailure((error as Error).message);
    if (answer === 'error' && failure.code !== 'internal') {
      await removeFinishedJob(job);
      throw new SluiceError(failure.code, failure.message, failure.details ?? {});
    }
    const code = failure.code === 'internal' ? 'job_failed' : failure.code;
    throw new SluiceError(code, `job ${job.id} failed: ${failure.message}`, { fields: { job_id: job.id, location } });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Removes a job that has failed for good, with its log. Failing to does not change the answer:
 * the retention time removes it later.
 */
async function removeFinishedJob<R>(job: Job<unknown, R>): Promise<void> {
  try {
    await job.remove();
  } catch {
    // left to removeOnFail
  }
}
