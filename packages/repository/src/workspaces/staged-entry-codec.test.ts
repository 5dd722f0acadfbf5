import { describe, expect, it } from 'vitest';
import type { StagedEntry } from '@sluice/core';
import { decodeStagedEntry, encodeStagedEntry } from './staged-entry-codec.js';

const added: StagedEntry = {
  status: 'added',
  hash: '0123456789abcdef0123456789abcdef',
  size: 1234,
  mimeType: 'text/csv',
  dataType: 'tabular',
};

describe('staged entry codec', () => {
  it('round-trips every status in about half the bytes of JSON', () => {
    const removed: StagedEntry = { status: 'removed', hash: '', size: 0, mimeType: '', dataType: 'binary' };
    for (const entry of [added, { ...added, status: 'modified' as const }, removed]) {
      expect(decodeStagedEntry(encodeStagedEntry(entry))).toEqual(entry);
    }
    expect(encodeStagedEntry(added)).toBe('a\t0123456789abcdef0123456789abcdef\t1234\ttext/csv\ttabular');
    expect(encodeStagedEntry(added).length).toBeLessThan(JSON.stringify(added).length * 0.6);
  });

  it('reads the JSON entries earlier versions wrote, and keeps a field with a tab whole as JSON', () => {
    expect(decodeStagedEntry(JSON.stringify(added))).toEqual(added);
    const odd = { ...added, mimeType: 'text/x\tweird' };
    expect(encodeStagedEntry(odd).startsWith('{')).toBe(true);
    expect(decodeStagedEntry(encodeStagedEntry(odd))).toEqual(odd);
  });

  it('refuses a value that is no entry', () => {
    expect(() => decodeStagedEntry('x\tnothing')).toThrow(/not a staged entry/);
  });
});
