import { SluiceError } from '@sluice/core';

/**
 * A Redis failure as one of our codes, or null for anything else. ioredis names a dropped
 * connection only in its messages, so they are matched here, in one place; a full Redis answers
 * `OOM` (maxmemory with noeviction: a script that may write is refused whole, nothing is half-applied).
 */
export function redisFailure(error: unknown): SluiceError | null {
  const e = error as { code?: unknown; name?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : '';
  if (/^OOM /.test(message)) {
    return new SluiceError(
      'redis_full',
      'Redis is out of memory (maxmemory, noeviction) and refuses writes; ' +
        'free memory or raise maxmemory, then try again',
    );
  }
  if (
    e?.code === 'ECONNREFUSED' ||
    e?.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|Stream isn't writeable|connect ECONNREFUSED/.test(message)
  ) {
    return new SluiceError('redis_unavailable', 'Redis is unreachable; try again shortly');
  }
  return null;
}
