import { describe, expect, it } from 'vitest';
import { SpareMemory } from './spare-memory.js';

const mib = 1024 * 1024;

describe('SpareMemory', () => {
  it('hands memory given back out again to a buffer that fits in it, at most `keep` of them', () => {
    const spare = new SpareMemory(1, 16 * mib);
    const first = spare.take(4 * mib + 10);
    // whole MiBs past 1 MiB, so that the next segment of a few KiB more fits too
    expect(first.buffer.byteLength).toBe(5 * mib);
    expect(first.length).toBe(4 * mib + 10);
    spare.give(first.buffer as ArrayBuffer);
    const second = spare.take(4 * mib + 900);
    expect(second.buffer).toBe(first.buffer);
    expect(spare.take(4 * mib).buffer).not.toBe(first.buffer);
    spare.give(second.buffer as ArrayBuffer);
    spare.give(new ArrayBuffer(5 * mib)); // past `keep`: dropped
    // a small read (a commit object) neither takes the spare nor keeps it alive
    expect(spare.take(300).buffer.byteLength).toBe(300);
    expect(spare.take(2 * mib).buffer.byteLength).toBe(2 * mib);
    expect(spare.take(5 * mib).buffer).toBe(second.buffer);
  });

  it('keeps small buffers exact, and ignores memory too large or already transferred away', () => {
    const spare = new SpareMemory(4, 8 * mib);
    expect(spare.take(100).buffer.byteLength).toBe(100);
    spare.give(new ArrayBuffer(9 * mib));
    const moved = new ArrayBuffer(2 * mib);
    structuredClone(moved, { transfer: [moved] });
    spare.give(moved);
    expect(spare.take(mib).buffer.byteLength).toBe(mib);
  });
});
