import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePack, MemoryBlobStore, packKey, readExact, readPackIndex } from '@sluice/storage';

describe('packs', () => {
  const versions = [
    { hash: 'a'.repeat(32), bytes: randomBytes(1000) },
    { hash: 'b'.repeat(32), bytes: new Uint8Array(0) },
    { hash: 'c'.repeat(32), bytes: randomBytes(70_000).subarray(5, 60_005) },
  ];

  it('holds each version at its entry and says what it holds from its own index', async () => {
    const store = new MemoryBlobStore();
    const pack = encodePack(versions);
    await store.put(packKey(pack.id), pack.chunks);
    const size = (await store.stat(packKey(pack.id)))!.size;
    expect(await readPackIndex(store, pack.id, size)).toEqual(pack.entries);
    for (const [i, entry] of pack.entries.entries()) {
      const bytes = await readExact(await store.getRange(packKey(pack.id), entry.offset, entry.length));
      expect(bytes.equals(Buffer.from(versions[i]!.bytes))).toBe(true);
    }
  });

  it('says which entries are kept gzipped, and the size they inflate to', async () => {
    const store = new MemoryBlobStore();
    const gzipped = gzipSync(Buffer.from('x'.repeat(5000)));
    const pack = encodePack([versions[0]!, { hash: 'd'.repeat(32), bytes: gzipped, size: 5000 }]);
    await store.put(packKey(pack.id), pack.chunks);
    const entries = await readPackIndex(store, pack.id, (await store.stat(packKey(pack.id)))!.size);
    expect(entries).toEqual([
      { hash: 'a'.repeat(32), offset: 0, length: 1000 },
      { hash: 'd'.repeat(32), offset: 1000, length: gzipped.length, size: 5000 },
    ]);
  });

  it('is named by the hashes it holds: the same contents give the same id, others another', () => {
    expect(encodePack(versions).id).toBe(encodePack(versions).id);
    expect(encodePack(versions.slice(1)).id).not.toBe(encodePack(versions).id);
  });

  it('refuses an object that is not a pack', async () => {
    const store = new MemoryBlobStore();
    await store.put(packKey('x'), Buffer.from('not a pack at all'));
    await expect(readPackIndex(store, 'x', 17)).rejects.toThrow(/not a readable pack: no trailer/);
  });
});
