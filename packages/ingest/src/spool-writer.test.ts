import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MemoryBlobStore, readExact } from '@sluice/storage';
import { SpoolWriter, type EarlyStart } from './spool-writer.js';

/** Parts below one chunk never start a digest: nothing of the early start may be touched. */
const noEarlyStart = new Proxy(
  {},
  {
    get: () => {
      throw new Error('no early start expected for parts under one chunk');
    },
  },
) as EarlyStart;

const stream = (bytes: Buffer, pieces = 3) =>
  Readable.from(
    Array.from({ length: pieces }, (_, i) =>
      bytes.subarray((i * bytes.length) / pieces, ((i + 1) * bytes.length) / pieces),
    ),
  );

describe('SpoolWriter', () => {
  it('packs small parts into one segment with their offsets and gives a large part its own object', async () => {
    const store = new MemoryBlobStore();
    const spool = new SpoolWriter(store, 'req1', 64 * 1024 * 1024, true, noEarlyStart);
    const small = [Buffer.from('first'), randomBytes(300), Buffer.from('third, gzipped')];
    const large = randomBytes(5 * 1024 * 1024);
    await spool.add('a.txt', false, stream(small[0]!));
    await spool.add('b.bin', false, stream(small[1]!));
    await spool.add('big.bin', false, stream(large, 7));
    await spool.add('c.txt.gz', true, stream(small[2]!), 'cafe');
    await spool.finish();

    expect(spool.keys).toEqual(['spool/req1/0', 'spool/req1/1']);
    expect(spool.bytes).toBe(small.reduce((n, b) => n + b.length, 0) + large.length);
    const segment = await store.getBuffer('spool/req1/0');
    for (const [i, path] of ['a.txt', 'b.bin', 'c.txt.gz'].entries()) {
      const part = spool.parts.find((p) => p.path === path)!;
      expect(part.spool).toBe('spool/req1/0');
      expect(segment.subarray(part.offset, part.offset + part.length).equals(small[i]!)).toBe(true);
    }
    expect(spool.parts.find((p) => p.path === 'c.txt.gz')).toMatchObject({ gzip: true, expectHash: 'cafe' });
    const big = spool.parts.find((p) => p.path === 'big.bin')!;
    expect(big).toMatchObject({ spool: 'spool/req1/1', offset: 0, length: large.length });
    expect(big.chunks).toBeUndefined();
    expect((await readExact(await store.get('spool/req1/1'))).equals(large)).toBe(true);
  });

  it('refuses a body past the request limit, naming it, and a discard leaves nothing', async () => {
    const store = new MemoryBlobStore();
    const spool = new SpoolWriter(store, 'req2', 2 * 1024 * 1024, false, noEarlyStart);
    await spool.add('one.bin', false, stream(randomBytes(1536 * 1024)));
    await expect(spool.add('two.bin', false, stream(randomBytes(1024 * 1024)))).rejects.toMatchObject({
      code: 'request_too_large',
      message: expect.stringMatching(/SLUICE_MAX_REQUEST_BYTES/),
    });
    await spool.discard();
    const left: string[] = [];
    for await (const info of store.list('spool/')) left.push(info.key);
    expect(left).toEqual([]);
  });
});
