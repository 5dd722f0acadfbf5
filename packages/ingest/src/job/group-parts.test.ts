import { describe, expect, it } from 'vitest';
import type { SpooledPart } from '@sluice/queue';
import { groupParts } from './group-parts.js';
import { inlinePartMaxBytes } from '../receive/spool-layout.js';

const ranged = (path: string, spool: string, length: number): SpooledPart => ({
  path,
  gzip: false,
  spool,
  offset: 0,
  length,
});

describe('groupParts', () => {
  it('groups small parts by segment in request order and streams chunked and oversized ones', () => {
    const parts: SpooledPart[] = [
      ranged('a', 'spool/r/1', 10),
      ranged('b', 'spool/r/0', 10),
      { path: 'c', gzip: true, chunks: ['spool/r/big/0', 'spool/r/big/1'] },
      ranged('d', 'spool/r/1', inlinePartMaxBytes),
      ranged('e', 'spool/r/2', inlinePartMaxBytes + 1),
      ranged('f', 'spool/r/0', 0),
    ];
    const { segments, streamed } = groupParts(parts);
    // segments in the order the request first named them: the job reads them in that order
    expect([...segments]).toEqual([
      ['spool/r/1', [0, 3]],
      ['spool/r/0', [1, 5]],
    ]);
    expect(streamed).toEqual([2, 4]);
  });

  it('streams a chunked part even when it is small and carries a leftover spool range', () => {
    // jobs queued by an older sluice carry spool, offset and length beside chunks: chunks decide
    const legacy = { path: 'x', gzip: false, spool: 'spool/r/0', offset: 0, length: 1, chunks: ['spool/r/x/0'] };
    expect(groupParts([legacy])).toEqual({ segments: new Map(), streamed: [0] });
  });
});
