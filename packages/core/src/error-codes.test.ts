import { describe, expect, it } from 'vitest';
import { worthResending } from './error-codes.js';

describe('worthResending', () => {
  it(
    'is true where sending the file again may succeed: ' +
      'a dependency away, a job that failed or timed out, a vanished spool',
    () => {
      for (const code of [
        'spool_missing',
        'store_unavailable',
        'redis_unavailable',
        'no_workers',
        'job_failed',
        'job_timeout',
        'too_many_requests',
      ]) {
        expect(worthResending(code), code).toBe(true);
      }
    },
  );

  it('is false for bad input, refusals and codes the table does not know', () => {
    for (const code of [
      'invalid_path',
      'hash_mismatch',
      'inflate_ratio',
      'quota_exceeded',
      'forbidden',
      'http_418',
      '',
    ])
      expect(worthResending(code), code).toBe(false);
  });
});
