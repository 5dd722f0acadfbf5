import { errorCodes, isErrorCode, type ErrorCode } from './error-codes.js';

export interface SluiceErrorOptions {
  /** Replaces the table's Oxen `status_message` where upstream answers free text (e.g. "NoChanges"). */
  statusMessage?: string;
  /** Extra fields the API adds to the envelope (e.g. `paths` of a 206). */
  fields?: Record<string, unknown>;
  /** Extra fields inside the answer's `error` object (upstream's `missing_hashes`). */
  errorFields?: Record<string, unknown>;
  cause?: unknown;
}

/** Every error sluice raises on purpose: a stable code, and from the table its status and retry rule. */
export class SluiceError extends Error {
  override readonly name = 'SluiceError';
  readonly code: ErrorCode;
  readonly statusMessage: string;
  readonly fields: Record<string, unknown> | undefined;
  readonly errorFields: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.statusMessage = options.statusMessage ?? errorCodes[code].statusMessage;
    this.fields = options.fields;
    this.errorFields = options.errorFields;
  }

  get status(): number {
    return errorCodes[this.code].status;
  }

  get retryable(): boolean {
    return errorCodes[this.code].retryable;
  }

  get title(): string {
    return errorCodes[this.code].title;
  }
}

/** The code of any thrown value: ours, one that lost its class crossing a thread, or `internal`. */
export function errorCodeOf(error: unknown): ErrorCode {
  if (error instanceof SluiceError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return isErrorCode(code) ? code : 'internal';
}
