import { describe, expect, it } from 'vitest';
import { isChunkedPart, type SpooledPart } from './ingest-job.js';

describe('SpooledPart', () => {
  it('tells a part read from its own objects from a range of a spool object, in jobs old and new', () => {
    const segment: SpooledPart = { path: 'a.txt', gzip: false, spool: 'spool/r/0', offset: 8, length: 3 };
    const chunked: SpooledPart = { path: 'big.bin', gzip: false, expectHash: 'ab', chunks: ['c/0', 'c/1'] };
    // as the chunked route queued it before the union: placeholders beside the chunks
    const older = JSON.parse(
      '{"path":"big.bin","gzip":false,"spool":"","offset":0,"length":0,"expectHash":"ab","chunks":["c/0"]}',
    ) as SpooledPart;
    expect([segment, chunked, older].map(isChunkedPart)).toEqual([false, true, true]);
  });
});
