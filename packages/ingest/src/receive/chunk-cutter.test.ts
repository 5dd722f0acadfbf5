import { describe, expect, it } from 'vitest';
import { ChunkCutter } from './chunk-cutter.js';

async function* buffers(sizes: number[]): AsyncGenerator<Buffer> {
  let n = 0;
  for (const size of sizes) yield Buffer.from(Array.from({ length: size }, () => n++ % 251));
}

async function runs(sizes: number[], size: number): Promise<Buffer[]> {
  const cutter = new ChunkCutter(buffers(sizes), size);
  const out: Buffer[] = [];
  do {
    const parts: Buffer[] = [];
    for await (const chunk of cutter.run()) parts.push(chunk);
    out.push(Buffer.concat(parts));
  } while (await cutter.more());
  return out;
}

describe('ChunkCutter', () => {
  it(
    'cuts runs of the given size, ' + 'splitting buffers that straddle a boundary, and keeps every byte in order',
    async () => {
      const sizes = [3, 10, 1, 7, 9];
      const cut = await runs(sizes, 8);
      expect(cut.map((b) => b.length)).toEqual([8, 8, 8, 6]);
      const all: Buffer[] = [];
      for await (const b of buffers(sizes)) all.push(b);
      expect(Buffer.concat(cut).equals(Buffer.concat(all))).toBe(true);
    },
  );

  it(
    'ends without an empty run when the source ends on a boundary, ' + 'and gives one empty run for an empty source',
    async () => {
      expect((await runs([4, 4], 8)).map((b) => b.length)).toEqual([8]);
      expect((await runs([8, 8], 8)).map((b) => b.length)).toEqual([8, 8]);
      expect((await runs([], 8)).map((b) => b.length)).toEqual([0]);
    },
  );
});
