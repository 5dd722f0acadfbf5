import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { errorCodeOf, oxenHash, SluiceError, type Limits } from '@sluice/core';
import { MemoryBlobStore, readPackIndex } from '@sluice/storage';
import { streamContent } from './stream-part.js';

const limits = { maxInflateBytes: 1024 ** 3, maxInflateRatio: 1000 } as Limits;
const pieces = (bytes: Buffer, size = 64 * 1024) =>
  Readable.from(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)),
  );
const part = (gzip: boolean, sent: Buffer) => ({ path: 'data/rows.csv', gzip, compressedLength: () => sent.length });

/** A store that takes `room` bytes of a streamed object, then fails as a full disk does. */
class FullStore extends MemoryBlobStore {
  constructor(private readonly room: number) {
    super();
  }

  override async put(key: string, body: Buffer | readonly Buffer[] | Readable): Promise<void> {
    if (!(body instanceof Readable)) return super.put(key, body);
    let taken = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      taken += chunk.length;
      if (taken > this.room) {
        body.destroy();
        throw new SluiceError('storage_full', 'no space left');
      }
    }
  }
}

describe('streamContent', () => {
  it('keeps a gzip member as sent, as a pack of one entry holding the content’s hash and size', async () => {
    const store = new MemoryBlobStore();
    const content = Buffer.from(Array.from({ length: 60_000 }, (_, i) => `${i},row ${i}\n`).join(''));
    const sent = gzipSync(content);
    const file = await streamContent(store, limits, pieces(sent), part(true, sent), 'p1');
    expect(file).toMatchObject({
      hash: await oxenHash(content),
      size: content.length,
      gzipLength: sent.length,
      mimeType: expect.stringMatching(/^text\//),
    });
    const stored = await store.getBuffer(file.pendingKey);
    expect(stored.subarray(0, sent.length).equals(sent)).toBe(true);
    // the pending object is read as a pack once it sits under a pack key
    await store.move(file.pendingKey, 'packs/p1');
    expect(await readPackIndex(store, 'p1', stored.length)).toEqual([
      { hash: file.hash, offset: 0, length: sent.length, size: content.length },
    ]);
  });

  it('writes plain content as it is, with no pack index', async () => {
    const store = new MemoryBlobStore();
    const content = randomBytes(300_000);
    const file = await streamContent(store, limits, pieces(content), part(false, content), 'p2');
    expect(file.gzipLength).toBeUndefined();
    expect((await store.getBuffer(file.pendingKey)).equals(content)).toBe(true);
  });

  it('fails a corrupt member with corrupt_gzip and leaves no pending object', async () => {
    const store = new MemoryBlobStore();
    const sent = gzipSync(randomBytes(500_000));
    const broken = Buffer.concat([sent.subarray(0, 200_000), Buffer.alloc(1000, 7), sent.subarray(201_000)]);
    const failed = await streamContent(store, limits, pieces(broken), part(true, broken), 'p3').catch(
      (error: unknown) => error,
    );
    expect(errorCodeOf(failed)).toBe('corrupt_gzip');
    expect(await store.stat('spool/pending/p3')).toBeNull();
  });

  it('reports the store’s own error when the store stops taking a kept member', async () => {
    const sent = gzipSync(randomBytes(2 * 1024 * 1024));
    const failed = await streamContent(new FullStore(256 * 1024), limits, pieces(sent), part(true, sent), 'p4').catch(
      (error: unknown) => error,
    );
    expect(errorCodeOf(failed)).toBe('storage_full');
  });
});
