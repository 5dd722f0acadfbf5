import { SluiceError, type ContentFacts, type ErrorCode } from '@sluice/core';

/** Why one file of a job failed; the other files go on. */
export interface FileFailure {
  error: { code: ErrorCode; message: string };
}

/** What became of one part's content: stored (or already there), or why not. */
export type FileOutcome = ContentFacts | FileFailure;

export function hashMismatch(expected: string, actual: string): FileFailure {
  return {
    error: { code: 'hash_mismatch', message: `content hashes to ${actual}, not ${expected}; nothing was stored` },
  };
}

export function spoolMissing(key: string): FileFailure {
  return { error: { code: 'spool_missing', message: `spooled upload ${key} is gone` } };
}

/** Errors that fail one file (bad content) rather than the job (a dependency that may come back). */
export function isFileError(error: unknown): error is SluiceError {
  return (
    error instanceof SluiceError &&
    (error.code === 'corrupt_gzip' || error.code === 'inflate_limit' || error.code === 'inflate_ratio')
  );
}
