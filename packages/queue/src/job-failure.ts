import { UnrecoverableError } from 'bullmq';
import {
  errorCodeOf,
  errorCodes,
  isErrorCode,
  SluiceError,
  type ErrorCode,
  type SluiceErrorOptions,
} from '@sluice/core';

/** Why a job failed, as every process reads it: a code of the table, its message, and whether a retry may cure it. */
export interface JobFailure {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  /**
   * What the answer carries besides its code (see SluiceErrorOptions),
   * so a waiting request answers as the worker's error would.
   */
  details?: Pick<SluiceErrorOptions, 'statusMessage' | 'fields' | 'errorFields'>;
}

/**
 * What a processor throws for any error: BullMQ keeps only an error's message as the job's
 * `failedReason`, so the message is the failure as JSON, read back by `readJobFailure`. A failure a
 * retry cannot cure is an `UnrecoverableError`, so BullMQ does not spend the job's attempts on it.
 * `classify` names third-party errors (Redis's, say) by a code of ours first.
 */
export function toJobError(error: unknown, classify: (error: unknown) => SluiceError | null = () => null): Error {
  const known = error instanceof SluiceError ? error : (classify(error) ?? error);
  const code = errorCodeOf(known);
  const failure: JobFailure = {
    code,
    message: known instanceof Error ? known.message : String(known),
    retryable: errorCodes[code].retryable,
  };
  if (known instanceof SluiceError) {
    const details = { statusMessage: known.statusMessage, fields: known.fields, errorFields: known.errorFields };
    if (
      known.statusMessage !== errorCodes[code].statusMessage ||
      known.fields !== undefined ||
      known.errorFields !== undefined
    )
      failure.details = details;
  }
  const reason = JSON.stringify(failure);
  return failure.retryable ? new Error(reason, { cause: error }) : new UnrecoverableError(reason);
}

/**
 * A failed job's reason as written by `toJobError`; a reason
 * not so written (BullMQ's own: stalled, say) is `job_failed`.
 */
export function readJobFailure(reason: string | undefined): JobFailure {
  try {
    const read = JSON.parse(reason ?? '') as { code?: unknown; message?: unknown; details?: JobFailure['details'] };
    if (isErrorCode(read.code) && typeof read.message === 'string') {
      const failure: JobFailure = {
        code: read.code,
        message: read.message,
        retryable: errorCodes[read.code].retryable,
      };
      if (typeof read.details === 'object' && read.details !== null) failure.details = read.details;
      return failure;
    }
  } catch {
    // not ours: below
  }
  return { code: 'job_failed', message: reason ?? 'job failed', retryable: true };
}
