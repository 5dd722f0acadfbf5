import { describe, expect, it } from 'vitest';
import { translateS3Error } from '@sluice/storage';

const codeOf = (error: unknown): string => {
  try {
    translateS3Error(error, 'versions/ab/cd');
  } catch (thrown) {
    return (thrown as { code?: string }).code ?? 'unmapped';
  }
  return 'not thrown';
};

describe('translateS3Error', () => {
  it('names a full or refusing bucket storage_full, before any other 5xx', () => {
    expect(codeOf(Object.assign(new Error('quota'), { code: 'QuotaExceeded' }))).toBe('storage_full');
    expect(codeOf(Object.assign(new Error('too large'), { code: 'EntityTooLarge' }))).toBe('storage_full');
    expect(codeOf(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 507 } }))).toBe('storage_full');
    expect(codeOf(new Error('Request failed after 3 retries: Error: Retryable HTTP status: 507'))).toBe('storage_full');
  });

  it('names a store away store_unavailable, a missing key resource_not_found, and leaves the rest as they are', () => {
    expect(codeOf(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe('store_unavailable');
    expect(codeOf(new Error('Request failed after 0 retries: Error: Retryable HTTP status: 503'))).toBe(
      'store_unavailable',
    );
    expect(codeOf(Object.assign(new Error('gone'), { code: 'NoSuchKey' }))).toBe('resource_not_found');
    // thrown as it is
    expect(codeOf(Object.assign(new Error('denied'), { code: 'AccessDenied' }))).toBe('AccessDenied');
  });
});
