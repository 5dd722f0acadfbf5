import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { SluiceError } from '@sluice/core';
import { readJobFailure, toJobError } from './job-failure.js';

describe('job failures across the queue', () => {
  it('carry a code of ours, its message and its retry rule through the reason BullMQ keeps', () => {
    const refused = toJobError(new SluiceError('path_conflict', 'a file where a directory is'));
    expect(refused).toBeInstanceOf(UnrecoverableError);
    expect(readJobFailure(refused.message)).toEqual({
      code: 'path_conflict',
      message: 'a file where a directory is',
      retryable: false,
    });

    const away = toJobError(new SluiceError('store_unavailable', 'the store is away'));
    expect(away).not.toBeInstanceOf(UnrecoverableError);
    expect(readJobFailure(away.message)).toEqual({
      code: 'store_unavailable',
      message: 'the store is away',
      retryable: true,
    });
  });

  it('name third-party errors by the classifier given, and anything else internal (retried)', () => {
    const classify = (error: unknown) =>
      (error as Error).message === 'Connection is closed.'
        ? new SluiceError('redis_unavailable', 'Redis is away')
        : null;
    expect(readJobFailure(toJobError(new Error('Connection is closed.'), classify).message).code).toBe(
      'redis_unavailable',
    );
    const bug = toJobError(new TypeError('x is undefined'), classify);
    expect(bug).not.toBeInstanceOf(UnrecoverableError);
    expect(readJobFailure(bug.message)).toEqual({ code: 'internal', message: 'x is undefined', retryable: true });
  });

  it("read a reason sluice did not write (BullMQ's own, or JSON naming no code of ours) as job_failed", () => {
    expect(readJobFailure('job stalled more than allowable limit')).toEqual({
      code: 'job_failed',
      message: 'job stalled more than allowable limit',
      retryable: true,
    });
    expect(readJobFailure('{"code":"made_up","message":"m"}').code).toBe('job_failed');
    expect(readJobFailure(undefined).code).toBe('job_failed');
  });
});
