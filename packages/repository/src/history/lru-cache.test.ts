import { describe, expect, it } from 'vitest';
import { LruCache } from './lru-cache.js';

describe('LruCache', () => {
  it('is bounded by the summed weight of its values, evicting the least recently used first', () => {
    const cache = new LruCache<string, number[]>(10, (value) => value.length);
    cache.set('a', [1, 2, 3, 4]);
    cache.set('b', [1, 2, 3, 4]);
    expect(cache.get('a')).toHaveLength(4); // a is now the most recently used
    cache.set('c', [1, 2, 3]); // 11 > 10: b goes, not a
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toHaveLength(4);
    expect(cache.get('c')).toHaveLength(3);
    expect(cache.weight).toBe(7);
    cache.set('a', [1]); // replacing a value replaces its weight
    expect(cache.weight).toBe(4);
  });

  it('keeps no value heavier than its whole capacity, and what it held stays', () => {
    const cache = new LruCache<string, number[]>(10, (value) => value.length);
    cache.set('small', [1]);
    cache.set(
      'huge',
      Array.from({ length: 11 }, (_, i) => i),
    );
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.get('small')).toEqual([1]);
    expect(cache.size).toBe(1);
  });

  it('counts one per value by default', () => {
    const cache = new LruCache<number, string>(2);
    cache.set(1, 'x');
    cache.set(2, 'y');
    cache.set(3, 'z');
    expect([cache.get(1), cache.get(2), cache.get(3)]).toEqual([undefined, 'y', 'z']);
  });
});
