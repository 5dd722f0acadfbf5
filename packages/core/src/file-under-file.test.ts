import { describe, expect, it } from 'vitest';
import { fileUnderFile } from './file-under-file.js';

describe('fileUnderFile', () => {
  it('finds a file of the batch that another file of the batch needs as a directory', () => {
    expect(fileUnderFile(['x', 'x/y'])).toEqual({ path: 'x/y', file: 'x' });
    expect(fileUnderFile(['a/b/c', 'b', 'a'])).toEqual({ path: 'a/b/c', file: 'a' });
    expect(fileUnderFile(['d/e/f', 'd/e'])).toEqual({ path: 'd/e/f', file: 'd/e' });
  });

  it('lets files share directories, repeat a path, or share a prefix that is not a directory', () => {
    expect(fileUnderFile(['a/b', 'a/c', 'a/b'])).toBeNull();
    expect(fileUnderFile(['ab', 'a/b', 'a.txt', 'a-b/c'])).toBeNull();
    expect(fileUnderFile([])).toBeNull();
  });
});
