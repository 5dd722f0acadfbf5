import { describe, expect, it } from 'vitest';
import { FirstPaths } from './first-paths.js';

describe('FirstPaths', () => {
  it('keeps the first items by path, in order, whatever order they come in, and counts them all', () => {
    const paths = Array.from({ length: 1000 }, (_, i) => `d/${String((i * 7919) % 1000).padStart(4, '0')}`);
    const first = new FirstPaths<number>(25);
    paths.forEach((path, i) => first.add(path, i));
    expect(first.total).toBe(1000);
    expect(first.items.map(([path]) => path)).toEqual([...paths].sort().slice(0, 25));
  });

  it('holds everything when the limit is larger than the stream', () => {
    const first = new FirstPaths<string>(10);
    for (const path of ['c', 'a', 'b']) first.add(path, path.toUpperCase());
    expect(first.items).toEqual([
      ['a', 'A'],
      ['b', 'B'],
      ['c', 'C'],
    ]);
    expect(first.total).toBe(3);
  });
});
