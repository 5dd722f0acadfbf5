import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsBlobStore } from '@sluice/storage';
import { blobStoreContract } from './blob-store-contract.js';
import { tempDir } from '../../../test/support/temp-dirs.js';

const root = tempDir('sluice-fs-store-');
blobStoreContract('FsBlobStore', async () => new FsBlobStore({ root, fsync: true }));

describe('FsBlobStore.getBuffer', () => {
  it('reads a segment into memory given back by an earlier reader, exactly its bytes', async () => {
    const store = new FsBlobStore({ root: join(root, 'spare'), fsync: false });
    const first = randomBytes(3 * 1024 * 1024);
    const second = randomBytes(3 * 1024 * 1024 - 4096);
    await store.put('spool/a/0', first);
    await store.put('spool/b/0', second);
    const read = await store.getBuffer('spool/a/0');
    expect(read.equals(first)).toBe(true);
    store.release(read.buffer as ArrayBuffer);
    const again = await store.getBuffer('spool/b/0');
    expect(again.buffer).toBe(read.buffer);
    expect(again.length).toBe(second.length);
    expect(again.equals(second)).toBe(true);
  });
});
