import { describe, expect, it } from 'vitest';
import { createOxenHasher, formatOxenHash, oxenHash } from './oxen-hash.js';

describe('Oxen hash format', () => {
  // docs/architecture.md#hashes: xxh3-128, lowercase hex, leading zeros stripped.
  it.each([
    ['', '99aa06d3014798d86001c324468d497f'],
    ['Hello', '1bfd09d1a433fb78117b4c7b1583d16d'],
    ['uploaded contents', 'a59d246f9ae2a77ad7f0b4d0640253ea'],
    ['Hello world! How are you today?', '59d0629306db212411b19c5f9fbe0cf'],
    ['hello', 'b5e9c1ad071b3e7fc779cfaa5e523818'],
  ])('hashes %j', async (input, expected) => {
    expect(await oxenHash(Buffer.from(input))).toBe(expected);
  });

  it('strips only leading zeros', () => {
    expect(formatOxenHash('00ab00')).toBe('ab00');
    expect(formatOxenHash('0'.repeat(32))).toBe('0');
  });

  it('gives the same hash streamed in pieces as at once', async () => {
    const data = Buffer.alloc(1_000_003, 7);
    const hasher = await createOxenHasher();
    hasher.init();
    for (let i = 0; i < data.length; i += 65_536) hasher.update(data.subarray(i, i + 65_536));
    expect(hasher.digest()).toBe(await oxenHash(data));
  });
});
