import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readTar, TarError } from '@sluice/client';
import { tarStream, type TarEntry } from '@sluice/storage';

/** A whole tar as the server's engine writes it. */
async function tarOf(entries: Array<{ name: string; content: Buffer; pax?: Record<string, string> }>): Promise<Buffer> {
  const list: TarEntry[] = entries.map((e) => ({
    name: e.name,
    size: e.content.length,
    ...(e.pax ? { pax: e.pax } : {}),
    open: async () => e.content,
  }));
  const chunks: Buffer[] = [];
  for await (const chunk of tarStream(list)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The tar fed in pieces of `piece` bytes, as a socket might deliver it. */
async function* inPieces(tar: Buffer, piece: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < tar.length; at += piece) yield tar.subarray(at, at + piece);
}

async function read(
  source: AsyncIterable<Buffer>,
): Promise<Array<{ path: string; pax: Record<string, string>; content: Buffer }>> {
  const out: Array<{ path: string; pax: Record<string, string>; content: Buffer }> = [];
  for await (const file of readTar(source)) {
    const parts: Buffer[] = [];
    for await (const part of file.body) parts.push(part);
    out.push({ path: file.path, pax: { ...file.pax }, content: Buffer.concat(parts) });
  }
  return out;
}

describe('the CLI tar reader', () => {
  const entries = [
    { name: 'a.txt', content: Buffer.from('hello\n'), pax: { 'SLUICE.hash': 'abc' } },
    {
      name: `${'long-directory-name/'.repeat(8)}ünïcode file.bin`,
      content: randomBytes(70_000),
      pax: { 'SLUICE.hash': 'def' },
    },
    { name: 'empty', content: Buffer.alloc(0) },
    { name: 'exact', content: randomBytes(1024) },
  ];

  it(
    'reads what the server writes, whatever the pieces it arrives in: ' + 'names (pax path), pax records, bytes',
    async () => {
      const tar = await tarOf(entries);
      for (const piece of [1, 7, 511, 512, 4096, tar.length]) {
        const got = await read(inPieces(tar, piece));
        expect(got.map((e) => e.path)).toEqual(entries.map((e) => e.name));
        for (const [i, e] of got.entries()) {
          expect(e.content.equals(entries[i]!.content)).toBe(true);
          if (entries[i]!.pax) expect(e.pax['SLUICE.hash']).toBe(entries[i]!.pax!['SLUICE.hash']);
        }
      }
    },
  );

  it('tells a cut archive from a whole one, anywhere it is cut', async () => {
    const tar = await tarOf(entries);
    for (const at of [0, 100, 512, 1500, 40_000, tar.length - 1024, tar.length - 1]) {
      if (at === 0) continue;
      const error = await read(inPieces(tar.subarray(0, at), 4096)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, `cut at ${at}`).toBeInstanceOf(TarError);
      expect((error as TarError).truncated).toBe(true);
    }
  });

  it('refuses a header whose checksum fails (a byte damaged in a name)', async () => {
    const tar = await tarOf([{ name: 'plain-name.txt', content: Buffer.from('x') }]);
    const damaged = Buffer.from(tar);
    damaged[3] ^= 0x01;
    await expect(read(inPieces(damaged, 512))).rejects.toThrow(/checksum/);
  });
});
