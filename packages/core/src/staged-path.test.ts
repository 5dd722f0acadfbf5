import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stagedPath } from './staged-path.js';
import { SluiceError } from './sluice-error.js';

// The whole table of reference §4.3: [directory, filename, staged path or the reason it fails].
const table: Array<[string, string, string | RegExp]> = [
  ['data', 'img.jpg', 'data/img.jpg'],
  ['data', 'train/img.jpg', 'data/train/img.jpg'],
  ['data', 'train/./img.jpg', 'data/train/img.jpg'],
  ['.', 'img.jpg', 'img.jpg'],
  ['', 'root.txt', 'root.txt'],
  ['data/', 'a.txt', 'data/a.txt'],
  ['data', 'a//b.txt', 'data/a/b.txt'],
  ['./data/./sub', 'f.bin', 'data/sub/f.bin'],
  ['data', '../escape.txt', /parent directory/],
  ['data', 'a/b/../c.txt', /parent directory/],
  ['data', '/abs.txt', /absolute/],
  ['/data', 'a.txt', /absolute/],
  ['a/../b', 'x.txt', /parent directory/],
  ['data', '', 'data'],
  ['data', '.', 'data'],
  ['', '', /empty after normalization/],
  ['data', 'train\\img.jpg', 'data/train\\img.jpg'],
];

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
