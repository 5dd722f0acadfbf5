/** A socket or stream failure (reset, closed early, a gzip stream cut): worth resuming. */
export function isTransportError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return (
    [
      'ECONNRESET',
      'ECONNREFUSED',
      'EPIPE',
      'ETIMEDOUT',
      'ERR_STREAM_PREMATURE_CLOSE',
      'Z_BUF_ERROR',
      'ECONNABORTED',
    ].includes(code) || (error as Error).message === 'aborted'
  );
}
