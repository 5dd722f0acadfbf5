import { describe, expect, it } from 'vitest';
import type { ContentFacts } from '@sluice/core';
import type { SpooledPart } from '@sluice/queue';
import { hashMismatch, spoolMissing, type FileOutcome } from './file-outcome.js';
import { jobResult, unstagedResult } from './job-result.js';

const part = (path: string): SpooledPart => ({ path, gzip: false, spool: 'spool/r/0', offset: 0, length: 1 });
const content = (hash: string, size = 1): ContentFacts => ({ hash, size, mimeType: 'text/csv', dataType: 'tabular' });

const parts = [part('a.csv'), part('bad.csv'), part('b.csv'), part('gone.csv'), part('c.csv')];
const outcomes: FileOutcome[] = [
  content('h1'),
  hashMismatch('h0', 'h9'),
  content('h2', 2),
  spoolMissing('spool/r/0'),
  content('h1'),
];

describe('jobResult', () => {
  it('answers every file in request order, giving the staged ones their status in turn', () => {
    const result = jobResult(parts, outcomes, ['added', 'modified', 'unchanged'], 1);
    expect(result).toEqual({
      paths: ['a.csv', 'b.csv', 'c.csv'],
      files: [
        { path: 'a.csv', status: 'added', hash: 'h1', size: 1, mime_type: 'text/csv', data_type: 'tabular' },
        {
          path: 'bad.csv',
          error: { code: 'hash_mismatch', message: 'content hashes to h9, not h0; nothing was stored' },
        },
        { path: 'b.csv', status: 'modified', hash: 'h2', size: 2, mime_type: 'text/csv', data_type: 'tabular' },
        { path: 'gone.csv', error: { code: 'spool_missing', message: 'spooled upload spool/r/0 is gone' } },
        { path: 'c.csv', status: 'unchanged', hash: 'h1', size: 1, mime_type: 'text/csv', data_type: 'tabular' },
      ],
      deduplicated: 1,
    });
  });

  it('keeps the key order the recorded JSON has always had', () => {
    const result = jobResult(parts.slice(0, 2), outcomes.slice(0, 2), ['added'], 0);
    expect(JSON.stringify(result)).toBe(
      '{"paths":["a.csv"],"files":[' +
        '{"path":"a.csv","status":"added","hash":"h1","size":1,"mime_type":"text/csv","data_type":"tabular"},' +
        '{"path":"bad.csv","error":{"code":"hash_mismatch",' +
        '"message":"content hashes to h9, not h0; nothing was stored"}}' +
        '],"deduplicated":0}',
    );
  });
});

describe('unstagedResult', () => {
  it('answers every stored file as added and every failed one with its error, in request order', () => {
    const result = unstagedResult(parts, outcomes, 2);
    expect(result.paths).toEqual(['a.csv', 'b.csv', 'c.csv']);
    expect(result.files.map((f) => ('error' in f ? f.error.code : f.status))).toEqual([
      'added',
      'hash_mismatch',
      'added',
      'spool_missing',
      'added',
    ]);
    expect(result.files[2]).toEqual({
      path: 'b.csv',
      status: 'added',
      hash: 'h2',
      size: 2,
      mime_type: 'text/csv',
      data_type: 'tabular',
    });
    expect(result.deduplicated).toBe(2);
  });
});
