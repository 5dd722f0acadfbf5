import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stagedPath } from './staged-path.js';
import { SluiceError } from './sluice-error.js';
import { normalizationTable as table } from '../../../test/support/normalization-table.js';

describe('stagedPath', () => {
  it.each(table)('directory %j + filename %j', (directory, filename, expected) => {
    if (typeof expected === 'string') {
      expect(stagedPath(directory, filename)).toBe(expected);
    } else {
      const attempt = () => stagedPath(directory, filename);
      expect(attempt).toThrow(SluiceError);
      expect(attempt).toThrow(expected);
    }
  });

  it('keeps UTF-8 names whole and rejects NUL', () => {
    expect(stagedPath('données', 'été/naïve 🐂.txt')).toBe('données/été/naïve 🐂.txt');
    expect(() => stagedPath('data', 'a\0b')).toThrow(/NUL/);
    expect(() => stagedPath('data', 'bad\uFFFD.txt')).toThrow(/UTF-8/);
  });

  it('never yields a path with empty, "." or ".." segments, nor a leading slash', () => {
    const segment = fc.constantFrom('a', 'b', '.', '..', '', 'x.txt', 'é');
    const path = fc.array(segment, { maxLength: 6 }).map((s) => s.join('/'));
    fc.assert(
      fc.property(path, path, (directory, filename) => {
        let result: string;
        try {
          result = stagedPath(directory, filename);
        } catch (error) {
          expect(error).toBeInstanceOf(SluiceError);
          return;
        }
        expect(result.startsWith('/')).toBe(false);
        for (const part of result.split('/')) expect(['', '.', '..']).not.toContain(part);
        // normalizing twice changes nothing
        expect(stagedPath('', result)).toBe(result);
      }),
    );
  });
});
