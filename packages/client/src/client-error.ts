/**
 * What went wrong talking to the server. `code` is the server's error type when it answered in
 * the Oxen envelope, `unreachable` when it did not answer, `http_<status>` otherwise.
 */
export class ClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
    this.name = 'ClientError';
  }

  /** Worth sending again: the server was away, overloaded or briefly without a dependency. */
  get retryable(): boolean {
    // status 0 is no answer at all only for `unreachable`: a wrong archive or answer is not cured by sending again
    if (this.status === 0) return this.code === 'unreachable';
    return this.status === 429 || this.status === 502 || this.status === 503 || this.status === 504;
  }
}
