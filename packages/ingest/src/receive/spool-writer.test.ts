import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { oxenHash, type Limits } from '@sluice/core';
import { connectRedis, RedisKeys } from '@sluice/repository';
import { DigestBoard } from '../digest/digest-board.js';
import { createDigestQueue, digestPendingId } from '@sluice/queue';
import { FsBlobStore, MemoryBlobStore, pendingVersionKey, readExact, type PutOptions } from '@sluice/storage';
import { largePartChunkBytes } from './spool-layout.js';
import { SpoolWriter, type EarlyStart } from './spool-writer.js';
import { streamPart } from '../digest/stream-part.js';
import { tempDir } from '../../../../test/support/temp-dirs.js';
import { waitFor } from '../../../../test/support/wait-for.js';

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

const MiB = 1024 * 1024;
const limits = { maxInflateBytes: 1024 ** 3, maxInflateRatio: 1000 } as Limits;

/** Sends `bytes` into `source` in 1 MiB pieces, as a request body arrives. */
function send(source: PassThrough, bytes: Buffer): void {
  for (let at = 0; at < bytes.length; at += MiB) source.write(bytes.subarray(at, at + MiB));
}

/** Every file under `root`, temporary ones included. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

/**
 * A filesystem store whose write of `held` lands only once letLand() is called, its bytes taken
 * meanwhile: a durable write still finishing (its fsync) while the next chunk arrives. (Not `release`:
 * FsBlobStore has one, for spool memory.)
 */
class HeldStore extends FsBlobStore {
  private opened!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.opened = resolve));
  private wrote!: () => void;
  /** Settles once the held write has landed or failed. */
  readonly landed = new Promise<void>((resolve) => (this.wrote = resolve));

  constructor(
    root: string,
    private readonly held: string,
  ) {
    super({ root, fsync: false });
  }

  letLand(): void {
    this.opened();
  }

  override async put(key: string, body: Buffer | readonly Buffer[] | Readable, options?: PutOptions): Promise<void> {
    if (key !== this.held) return super.put(key, body, options);
    const taken: Buffer[] = [];
    if (body instanceof Readable) for await (const chunk of body) taken.push(chunk as Buffer);
    else taken.push(...(Buffer.isBuffer(body) ? [body] : body));
    await this.gate;
    try {
      return await super.put(key, taken, options);
    } finally {
      this.wrote();
    }
  }
}

/** Whether the writer has begun the object of `key` (a streamed write goes to a temporary file first). */
function begun(root: string, key: string): boolean {
  return filesUnder(root).some((name) => name.startsWith(`${key.split('/').pop()!}.`));
}

/**
 * A part past one spool chunk, on a filesystem store with the early start's real digest queue
 * and board in Redis: it is written as objects of one chunk each, and its digest job is queued
 * once the first chunk is written, while the rest of the part is still to come.
 */
describe('SpoolWriter, a part of several chunks', () => {
  const urls = inject('redisUrl').split(',');
  const redis = connectRedis({ urls, cluster: inject('redisCluster') });
  const keys = new RedisKeys(`spoolw${Date.now().toString(36)}`);
  const board = new DigestBoard(redis, keys);
  const queue = createDigestQueue({ url: urls[0]! }, keys.prefix);
  afterAll(async () => {
    await queue.close();
    redis.disconnect();
  });

  /** The digest job queued for the part at `path`, once there is one. */
  async function digestJobOf(path: string) {
    let found: Awaited<ReturnType<typeof queue.getJobs>>[number] | undefined;
    await waitFor(`the digest job of ${path}`, async () => {
      found = (await queue.getJobs()).find((job) => job.data.path === path);
      return found !== undefined;
    });
    return found!;
  }

  it('starts the digest while the part still arrives, and every byte lands in order in chunk objects', async () => {
    const root = tempDir('sluice-spool-');
    const store = new HeldStore(root, 'spool/big1/0');
    const spool = new SpoolWriter(store, 'big1', 1024 * MiB, true, { queue, board });
    const content = randomBytes(2 * largePartChunkBytes + 5 * MiB);
    const source = new PassThrough();
    const adding = spool.add('data/big.bin', false, source, 'the-client-hash');
    send(source, content.subarray(0, largePartChunkBytes + MiB));

    // the second chunk is being written while the first one's write has not landed: no digest yet
    await waitFor('the second chunk begun', () => begun(root, 'spool/big1/1'));
    await sleep(300);
    expect((await queue.getJobs()).filter((job) => job.data.path === 'data/big.bin')).toEqual([]);
    expect(await redis.keys(`${keys.prefix}:digest:*`)).toEqual([]);
    store.letLand();
    const job = await digestJobOf('data/big.bin');
    expect(job.data).toEqual({ digestId: job.id, path: 'data/big.bin', gzip: false });
    // listed on the board only once written whole; the part is not finished
    expect(await board.read(job.id!)).toMatchObject({ chunks: ['spool/big1/0'], ended: false, aborted: false });
    expect((await store.stat('spool/big1/0'))?.size).toBe(largePartChunkBytes);
    expect(spool.parts).toEqual([]);

    send(source, content.subarray(largePartChunkBytes + MiB));
    source.end();
    await adding;
    await spool.finish();
    const chunks = ['spool/big1/0', 'spool/big1/1', 'spool/big1/2'];
    expect(spool.parts).toEqual([
      {
        path: 'data/big.bin',
        gzip: false,
        // its objects, and no spool range besides: a part of several chunks is read as their concatenation
        chunks,
        length: content.length,
        digest: job.id,
        expectHash: 'the-client-hash',
      },
    ]);
    expect(spool.keys).toEqual(chunks);
    expect(spool.bytes).toBe(content.length);
    expect(await board.read(job.id!)).toMatchObject({ chunks, ended: true, aborted: false });
    let at = 0;
    for (const [i, key] of chunks.entries()) {
      const stored = await store.getBuffer(key);
      expect(stored.length).toBe(i < 2 ? largePartChunkBytes : 5 * MiB);
      expect(stored.equals(content.subarray(at, at + stored.length))).toBe(true);
      at += stored.length;
    }
    // the ingest job reads the chunks as one part: the content's hash and size
    const file = await streamPart(store, limits, spool.parts[0]!, 'big1-ingest');
    expect(file).toMatchObject({ hash: await oxenHash(content), size: content.length });
  });

  it('gives a part of exactly one chunk one object and no digest; one byte more makes two chunks', async () => {
    const store = new FsBlobStore({ root: tempDir('sluice-spool-'), fsync: false });
    const one = randomBytes(largePartChunkBytes);
    const exact = new SpoolWriter(store, 'one', 1024 * MiB, false, noEarlyStart);
    await exact.add('one.bin', false, stream(one, 40));
    expect(exact.parts).toEqual([
      { path: 'one.bin', gzip: false, spool: 'spool/one/0', offset: 0, length: one.length },
    ]);

    const past = new SpoolWriter(store, 'past', 1024 * MiB, false, { queue, board });
    const more = Buffer.concat([one, Buffer.from('!')]);
    await past.add('past.bin', true, stream(more, 40));
    const part = past.parts[0]!;
    expect(part).toMatchObject({
      chunks: ['spool/past/0', 'spool/past/1'],
      length: more.length,
      digest: expect.any(String),
    });
    expect((await store.getBuffer('spool/past/1')).toString()).toBe('!');
    const job = await digestJobOf('past.bin');
    expect(job.data).toEqual({ digestId: part.digest, path: 'past.bin', gzip: true });
    expect(await board.read(part.digest!)).toMatchObject({ chunks: part.chunks, ended: true });
  });

  for (const cut of ['the client goes away', 'the request passes its limit'] as const) {
    it(`leaves nothing of a part cut after its digest started (${cut}) once discarded`, async () => {
      const root = tempDir('sluice-spool-');
      const store = new FsBlobStore({ root, fsync: false });
      const path = `cut/${cut.length}.bin`;
      const limit = cut === 'the request passes its limit' ? largePartChunkBytes + 8 * MiB : 1024 * MiB;
      const spool = new SpoolWriter(store, `cut${cut.length}`, limit, true, { queue, board });
      const content = randomBytes(largePartChunkBytes + 12 * MiB);
      const source = new PassThrough();
      const adding = spool.add(path, false, source);
      adding.catch(() => undefined);
      send(source, content.subarray(0, largePartChunkBytes + 4 * MiB));
      const job = await digestJobOf(path);
      // a digest that finished on what it had: its pending object is the request's to remove
      await store.put(pendingVersionKey(digestPendingId(job.id!)), Buffer.from('digested'));

      if (cut === 'the client goes away') source.destroy(new Error('client went away'));
      else send(source, content.subarray(largePartChunkBytes + 4 * MiB));
      await expect(adding).rejects.toMatchObject(
        cut === 'the client goes away' ? { message: 'client went away' } : { code: 'request_too_large' },
      );
      expect(spool.parts).toEqual([]);
      await spool.discard();
      expect(filesUnder(root)).toEqual([]);
      // the digest, still following the part, is told to stop
      expect(await board.read(job.id!)).toMatchObject({ aborted: true, ended: false });
    });
  }

  it('waits for a write still landing when the request fails in the chunk after it, and starts no digest', async () => {
    const root = tempDir('sluice-spool-');
    const store = new HeldStore(root, 'spool/late/0');
    const spool = new SpoolWriter(store, 'late', 1024 * MiB, true, { queue, board });
    const source = new PassThrough();
    const adding = spool.add('late.bin', false, source);
    adding.catch(() => undefined);
    send(source, randomBytes(largePartChunkBytes + 4 * MiB));
    await waitFor('the second chunk begun', () => begun(root, 'spool/late/1'));
    source.destroy(new Error('client went away'));
    await expect(adding).rejects.toThrow('client went away');

    const discarding = spool.discard();
    await sleep(300);
    store.letLand(); // the first chunk's write lands after the request failed
    await discarding;
    await store.landed;
    expect(filesUnder(root)).toEqual([]);
    await sleep(300);
    expect((await queue.getJobs()).filter((job) => job.data.path === 'late.bin')).toEqual([]);
  });
});
