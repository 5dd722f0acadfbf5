import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { connectRedis, RedisKeys } from '@sluice/repository';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { contentBucketKeys, dropContentBuckets, packedLocations, toLegacyLayout } from './support/content-buckets.js';
import { waitFor } from './support/wait-for.js';
import { listKeys, storeKinds, testEnv, testRedisTarget } from './support/test-env.js';
import { repoWithWorkspace, send, sendJson, stagedFiles, upload, type Part } from './support/oxen-http.js';

/** Small content goes into packs: one write per pack, read back by range, wherever it was stored before. */
describe.each(storeKinds())('packs of small versions (%s store)', (kind) => {
  const running: SluiceProcess[] = [];
  const redis = connectRedis(testRedisTarget());
  afterAll(async () => {
    for (const p of running) await p.stop();
    redis.disconnect();
  });
  const start = async (env: Record<string, string>) => {
    const sluice = await startSluice(env);
    running.push(sluice);
    return sluice;
  };
  const csv = (i: number) => `id,value\n${i},${'x'.repeat(i % 97)}\n`;
  const commit = (base: string, ws: string) =>
    sendJson(base, 'POST', `${ws}/merge/main`, { message: 'packed', author: 't', email: 't@example.com' });

  it('writes a request of 300 small files as one pack, and serves each by range with its length and type', async () => {
    const test = testEnv(kind);
    const sluice = await start(test.env);
    const ws = await repoWithWorkspace(sluice.url, 'ox', 'packed', 'w');
    const parts: Part[] = Array.from({ length: 300 }, (_, i) => ({
      filename: `rows/${i}.csv`,
      content: csv(i),
      gzip: i % 2 === 0,
    }));
    parts.push({ filename: 'blob/big.bin', content: randomBytes(5 * 1024 * 1024) });
    expect((await upload(sluice.url, `${ws}/files/d`, parts)).status).toBe(200);
    const store = await test.store();
    expect(await listKeys(store, 'packs/')).toHaveLength(1);
    // only the 5 MiB file, past the threshold, is an object of its own
    expect(await listKeys(store, 'versions/')).toHaveLength(1);

    for (const i of [0, 1, 150, 299]) {
      const staged = await send(sluice.url, 'GET', `${ws}/files/d/rows/${i}.csv`);
      expect(staged.body.toString()).toBe(csv(i));
      expect(staged.headers['content-length']).toBe(String(Buffer.byteLength(csv(i))));
      expect(staged.headers['content-type']).toMatch(/^text\//);
    }
    expect((await commit(sluice.url, ws)).status).toBe(200);
    const committed = await send(sluice.url, 'GET', '/api/repos/ox/packed/file/main/d/rows/42.csv');
    expect(committed.body.toString()).toBe(csv(42));
    expect(committed.headers['content-length']).toBe(String(Buffer.byteLength(csv(42))));
    const big = await send(sluice.url, 'GET', '/api/repos/ox/packed/file/main/d/blob/big.bin');
    expect(await oxenHash(big.body)).toBe(await oxenHash(parts[300]!.content));

    // Redis loses every location (its last second, a restore from an old snapshot): the packs say where
    const keys = new RedisKeys(test.env.SLUICE_KEY_PREFIX!);
    await dropContentBuckets(redis, keys);
    expect((await send(sluice.url, 'GET', '/api/repos/ox/packed/file/main/d/rows/7.csv')).body.toString()).toBe(csv(7));
    expect(await packedLocations(redis, keys)).toBe(300);
    // and content known again is deduplicated, not written a second time
    expect(
      (
        await sendJson(sluice.url, 'PUT', '/api/repos/ox/packed/workspaces', {
          workspace_id: 'w2',
          branch_name: 'main',
        })
      ).status,
    ).toBe(200);
    const again = await upload(sluice.url, '/api/repos/ox/packed/workspaces/w2/files/copy', parts.slice(0, 50));
    expect(again.status).toBe(200);
    expect(await listKeys(store, 'packs/')).toHaveLength(1);
    // the chunked route's completion without chunks stages packed content this repository holds, by its hash
    const hash = await oxenHash(csv(12));
    const completed = await sendJson(sluice.url, 'POST', `/api/repos/ox/packed/versions/${hash}/complete`, {
      files: [{ hash, file_name: 'twelve.csv', dst_dir: 'by-hash', num_chunks: 1 }],
      workspace_id: 'w2',
    });
    expect(completed.json()).toMatchObject({ status: 'success', hash, path: 'by-hash/twelve.csv', job_id: null });
    expect(
      (await send(sluice.url, 'GET', '/api/repos/ox/packed/workspaces/w2/files/by-hash/twelve.csv')).body.toString(),
    ).toBe(csv(12));
  });

  it('reads the content index of a version before content buckets, and moves it into them at start', async () => {
    const test = testEnv(kind);
    const before = await start(test.env);
    const ws = await repoWithWorkspace(before.url, 'ox', 'legacy', 'w');
    const parts: Part[] = Array.from({ length: 30 }, (_, i) => ({ filename: `${i}.csv`, content: csv(i + 500) }));
    parts.push({ filename: 'big.bin', content: randomBytes(5 * 1024 * 1024) });
    expect((await upload(before.url, `${ws}/files/old`, parts)).status).toBe(200);
    expect((await commit(before.url, ws)).status).toBe(200);
    await before.stop();
    const keys = new RedisKeys(test.env.SLUICE_KEY_PREFIX!);
    await toLegacyLayout(redis, keys);
    expect(await redis.scard(keys.legacyVersions())).toBe(31);
    expect(await redis.hlen(keys.legacyPacked())).toBe(30);

    const after = await start(test.env);
    const legacyKeys = async () =>
      (await redis.exists(keys.legacyVersions())) + (await redis.exists(keys.legacyPacked()));
    await waitFor('the legacy keys moved', async () => (await legacyKeys()) === 0);
    expect(await packedLocations(redis, keys)).toBe(30);
    let fields = 0;
    for (const key of await contentBucketKeys(redis, keys)) fields += await redis.hlen(key);
    expect(fields).toBe(31);
    expect((await send(after.url, 'GET', '/api/repos/ox/legacy/file/main/old/7.csv')).body.toString()).toBe(csv(507));
    // known content is not written again
    const store = await test.store();
    const packs = await listKeys(store, 'packs/');
    const w2 = { workspace_id: 'w2', branch_name: 'main' };
    expect((await sendJson(after.url, 'PUT', '/api/repos/ox/legacy/workspaces', w2)).status).toBe(200);
    expect((await upload(after.url, '/api/repos/ox/legacy/workspaces/w2/files/copy', parts)).status).toBe(200);
    expect(await listKeys(store, 'packs/')).toEqual(packs);
  });

  it('keeps versions stored one per object before packs readable, and deduplicates against them', async () => {
    const test = testEnv(kind, { SLUICE_PACK_BELOW_BYTES: '0' });
    const before = await start(test.env);
    const ws = await repoWithWorkspace(before.url, 'ox', 'upgraded', 'w');
    const old: Part[] = Array.from({ length: 20 }, (_, i) => ({ filename: `${i}.csv`, content: csv(i), gzip: true }));
    expect((await upload(before.url, `${ws}/files/old`, old)).status).toBe(200);
    expect((await commit(before.url, ws)).status).toBe(200);
    const store = await test.store();
    expect(await listKeys(store, 'versions/')).toHaveLength(20);
    expect(await listKeys(store, 'packs/')).toEqual([]);
    await before.stop();

    const after = await start({ ...test.env, SLUICE_PACK_BELOW_BYTES: String(4 * 1024 * 1024) });
    expect((await send(after.url, 'GET', '/api/repos/ox/upgraded/file/main/old/3.csv')).body.toString()).toBe(csv(3));
    expect(
      (
        await sendJson(after.url, 'PUT', '/api/repos/ox/upgraded/workspaces', {
          workspace_id: 'w2',
          branch_name: 'main',
        })
      ).status,
    ).toBe(200);
    const ws2 = '/api/repos/ox/upgraded/workspaces/w2';
    const mixed: Part[] = [
      ...old.slice(0, 10).map((p) => ({ ...p, filename: `again/${p.filename}` })),
      ...Array.from({ length: 10 }, (_, i) => ({ filename: `new/${i}.csv`, content: csv(1000 + i), gzip: true })),
    ];
    const reply = await upload(after.url, `${ws2}/files/d`, mixed);
    expect(reply.status).toBe(200);
    // the ten known contents are not written again; the ten new ones go into one pack
    expect(await listKeys(store, 'versions/')).toHaveLength(20);
    expect(await listKeys(store, 'packs/')).toHaveLength(1);
    expect((await send(after.url, 'GET', `${ws2}/files/d/again/4.csv`)).body.toString()).toBe(csv(4));
    expect((await send(after.url, 'GET', `${ws2}/files/d/new/9.csv`)).body.toString()).toBe(csv(1009));
  });

  it('stages the same content from two racing requests, both readable, and says what the race cost', async () => {
    const test = testEnv(kind);
    const sluice = await start(test.env);
    const ws = await repoWithWorkspace(sluice.url, 'ox', 'race', 'w');
    const shared = Array.from({ length: 100 }, (_, i) => `race ${i} ${'r'.repeat(1000)}`);
    const [a, b] = await Promise.all(
      ['a', 'b'].map((side) =>
        upload(
          sluice.url,
          `${ws}/files/${side}`,
          shared.map((content, i) => ({ filename: `${i}.txt`, content, gzip: true })),
        ),
      ),
    );
    expect([a!.status, b!.status]).toEqual([200, 200]);
    expect(a!.json().paths).toHaveLength(100);
    expect(b!.json().paths).toHaveLength(100);
    for (const i of [0, 99]) {
      expect((await send(sluice.url, 'GET', `${ws}/files/a/${i}.txt`)).body.toString()).toBe(shared[i]);
      expect((await send(sluice.url, 'GET', `${ws}/files/b/${i}.txt`)).body.toString()).toBe(shared[i]);
    }
    const store = await test.store();
    let packed = 0;
    for await (const info of store.list('packs/')) packed += info.size;
    // the parts are kept gzipped as sent: that is what one copy of the content costs in a pack
    const needed = shared.reduce((sum, s) => sum + gzipSync(s).length, 0);
    expect(packed).toBeGreaterThanOrEqual(needed);
    expect(packed).toBeLessThanOrEqual(2 * needed + 64 * 1024);
    console.log(
      `packs race (${kind}): ${packed} bytes in packs for ${needed} bytes of content as sent ` +
        `(${(packed / needed).toFixed(2)}x)`,
    );
  });

  it(
    'keeps a compressible gzip part as sent and serves it inflated; ' +
      'keeps content that gzip does not shrink as it is',
    async () => {
      const test = testEnv(kind);
      const sluice = await start(test.env);
      const ws = await repoWithWorkspace(sluice.url, 'ox', 'kept', 'w');
      const text = Array.from({ length: 2000 }, (_, i) => `${i},row ${i},${i * 7}\n`).join('');
      const noise = randomBytes(50_000);
      // past what a read inflates on the event loop (256 KiB): inflated in libuv's pool instead
      const more = Array.from({ length: 120_000 }, (_, i) => `${i},more ${i},${i * 13}\n`).join('');
      const reply = await upload(sluice.url, `${ws}/files/k`, [
        { filename: 'rows.csv', content: text, gzip: true },
        { filename: 'noise.bin', content: noise, gzip: true },
        { filename: 'more.csv', content: more, gzip: true },
      ]);
      expect(reply.json().paths).toEqual(['k/rows.csv', 'k/noise.bin', 'k/more.csv']);
      const moreRead = await send(sluice.url, 'GET', `${ws}/files/k/more.csv`);
      expect(moreRead.headers['content-length']).toBe(String(more.length));
      expect(moreRead.body.toString()).toBe(more);
      const rows = await send(sluice.url, 'GET', `${ws}/files/k/rows.csv`);
      expect(rows.body.toString()).toBe(text);
      expect(rows.headers['content-length']).toBe(String(Buffer.byteLength(text)));
      expect(rows.headers['content-type']).toMatch(/^text\//);
      expect((await send(sluice.url, 'GET', `${ws}/files/k/noise.bin`)).body.equals(noise)).toBe(true);
      const store = await test.store();
      let packed = 0;
      for await (const info of store.list('packs/')) packed += info.size;
      const sent = gzipSync(text).length + noise.length + gzipSync(more).length;
      expect(packed).toBeGreaterThanOrEqual(sent);
      expect(packed).toBeLessThan(sent + 4096);
      // typing by hash reads the head of a gzipped entry: the same mime type as the upload's
      const byHash = await sendJson(sluice.url, 'POST', `${ws}/stage_hashes`, {
        files: [{ path: 'k/again.csv', hash: await oxenHash(Buffer.from(text)) }],
      });
      expect(byHash.json()).toMatchObject({ paths: ['k/again.csv'], missing: [] });
      expect((await stagedFiles(sluice.url, ws)).get('k/again.csv')?.size).toBe(Buffer.byteLength(text));
      expect((await send(sluice.url, 'GET', `${ws}/files/k/again.csv`)).headers['content-type']).toBe(
        rows.headers['content-type'],
      );
    },
  );

  it('keeps a large gzip part as sent, as a pack of one entry, and inflates it as it is read', async () => {
    const test = testEnv(kind);
    const sluice = await start(test.env);
    const ws = await repoWithWorkspace(sluice.url, 'ox', 'large', 'w');
    // 24 MiB of rows (past the 16 MiB a read inflates whole) and 3 MiB of noise, both streamed parts
    const rows = Buffer.from(
      Array.from({ length: 400_000 }, (_, i) => `${i},row ${i},${(i * 7919) % 100_003}\n`)
        .join('')
        .padEnd(24 * 1024 * 1024, '.'),
    );
    const noise = randomBytes(3 * 1024 * 1024);
    const plain = randomBytes(2 * 1024 * 1024);
    const parts: Part[] = [
      { filename: 'rows.csv', content: rows, gzip: true },
      { filename: 'noise.bin', content: noise, gzip: true },
      { filename: 'plain.bin', content: plain },
    ];
    expect((await upload(sluice.url, `${ws}/files/big`, parts)).json().paths).toEqual([
      'big/rows.csv',
      'big/noise.bin',
      'big/plain.bin',
    ]);

    const store = await test.store();
    const packs: number[] = [];
    for await (const info of store.list('packs/')) packs.push(info.size);
    expect(packs).toHaveLength(2);
    // each pack is the member as the client sent it, its index and trailer: no inflated copy is written
    const sent = gzipSync(rows).length + gzipSync(noise).length;
    const stored = packs[0]! + packs[1]!;
    expect(stored - sent).toBeGreaterThan(0);
    expect(stored - sent).toBeLessThan(2 * 256);
    expect(stored).toBeLessThan(rows.length / 2);
    // the plain part is still an object of its own
    expect(await listKeys(store, 'versions/')).toHaveLength(1);

    const read = await send(sluice.url, 'GET', `${ws}/files/big/rows.csv`);
    expect(read.headers['content-length']).toBe(String(rows.length));
    expect(read.headers['content-type']).toMatch(/^text\//);
    expect(read.body.equals(rows)).toBe(true);
    expect((await send(sluice.url, 'GET', `${ws}/files/big/noise.bin`)).body.equals(noise)).toBe(true);
    expect((await send(sluice.url, 'GET', `${ws}/files/big/plain.bin`)).body.equals(plain)).toBe(true);

    // typing by hash inflates only the head; Redis losing the locations finds them in the packs again
    const keys = new RedisKeys(test.env.SLUICE_KEY_PREFIX!);
    await dropContentBuckets(redis, keys);
    const byHash = await sendJson(sluice.url, 'POST', `${ws}/stage_hashes`, {
      files: [{ path: 'big/again.csv', hash: await oxenHash(rows) }],
    });
    expect(byHash.json()).toMatchObject({ paths: ['big/again.csv'], missing: [] });
    const again = (await stagedFiles(sluice.url, ws)).get('big/again.csv');
    expect(again?.size).toBe(rows.length);
    expect((await send(sluice.url, 'GET', `${ws}/files/big/again.csv`)).body.equals(rows)).toBe(true);
    expect(await packedLocations(redis, keys)).toBe(2);
  });
});
