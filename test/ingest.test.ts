import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { listKeys, storeKinds, testEnv, type TestEnv } from './support/test-env.js';
import { repoWithWorkspace, send, sendJson, stagedFiles, upload, waitForJob } from './support/oxen-http.js';

describe.each(storeKinds())('upload into a workspace (%s store)', (kind) => {
  let sluice: SluiceProcess;
  let env: TestEnv;
  let ws: string;
  let n = 0;
  const freshWorkspace = async (files?: Array<{ path: string; contents: string }>) =>
    repoWithWorkspace(sluice.url, 'ox', `repo${n++}`, 'ws-1', files);

  beforeAll(async () => {
    env = testEnv(kind);
    sluice = await startSluice(env.env);
    ws = await freshWorkspace();
  });
  afterAll(async () => sluice?.stop());

  it('stages gzip and plain parts, answering paths in request order with Oxen hashes', async () => {
    const reply = await upload(sluice.url, `${ws}/files/data`, [
      { filename: 'plain.txt', content: 'hello' },
      { filename: 'nested/gz.txt', content: 'Hello world! How are you today?', gzip: true },
      { filename: 'été/naïve 🐂.txt', content: 'utf8 name', gzip: true },
    ]);
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({
      status: 'success',
      status_message: 'resource_created',
      paths: ['data/plain.txt', 'data/nested/gz.txt', 'data/été/naïve 🐂.txt'],
    });
    const staged = await stagedFiles(sluice.url, ws);
    expect(staged.get('data/plain.txt')).toEqual({
      hash: 'b5e9c1ad071b3e7fc779cfaa5e523818',
      size: 5,
      status: 'added',
    });
    // xxh3-128 of this text begins with a zero digit, which the Oxen format drops (31 chars).
    expect(staged.get('data/nested/gz.txt')).toEqual({
      hash: '59d0629306db212411b19c5f9fbe0cf',
      size: 31,
      status: 'added',
    });
    expect(staged.get('data/été/naïve 🐂.txt')?.hash).toBe(await oxenHash('utf8 name'));

    const file = await send(sluice.url, 'GET', `${ws}/files/data/nested/gz.txt`);
    expect(file.status).toBe(200);
    expect(file.body.toString()).toBe('Hello world! How are you today?');
    expect(file.headers['content-length']).toBe('31');
    expect(file.headers['content-type']).toBe('text/plain');
    expect(file.headers['oxen-version']).toBe('0.54.0');
  });

  it('treats only application/gzip parts as gzip: other types are stored as sent', async () => {
    const gz = gzipSync('kept compressed');
    const reply = await upload(sluice.url, `${ws}/files/raw`, [
      { filename: 'x.gz', content: gz, contentType: 'application/x-gzip' },
      { filename: 'y.txt', content: 'inflated', gzip: true, contentType: 'Application/GZIP; charset=binary' },
    ]);
    expect(reply.json().paths).toEqual(['raw/x.gz', 'raw/y.txt']);
    const staged = await stagedFiles(sluice.url, ws);
    expect(staged.get('raw/x.gz')?.hash).toBe(await oxenHash(gz));
    expect(staged.get('raw/y.txt')?.hash).toBe(await oxenHash('inflated'));
  });

  it('lets the last duplicate path of a request win, echoing the path twice', async () => {
    const reply = await upload(sluice.url, `${ws}/files/dup`, [
      { filename: 'a.txt', content: 'first' },
      { filename: 'a.txt', content: 'second', gzip: true },
    ]);
    expect(reply.json().paths).toEqual(['dup/a.txt', 'dup/a.txt']);
    expect((await stagedFiles(sluice.url, ws)).get('dup/a.txt')?.hash).toBe(await oxenHash('second'));
  });

  it('does not write content the version store already has', async () => {
    const content = randomBytes(64 * 1024);
    const versionPuts = async () =>
      (await send(sluice.url, 'GET', '/api/stats')).json().store_requests.versions?.put ?? 0;
    const first = await upload(sluice.url, `${ws}/files/dedup`, [{ filename: 'one.bin', content, gzip: true }]);
    expect(first.status).toBe(200);
    const before = await versionPuts();
    const second = await upload(sluice.url, `${ws}/files/dedup`, [
      { filename: 'two.bin', content, gzip: true },
      { filename: 'three.bin', content },
    ]);
    expect(second.json().paths).toEqual(['dedup/two.bin', 'dedup/three.bin']);
    expect(await versionPuts()).toBe(before);
    const hash = await oxenHash(content);
    const staged = await stagedFiles(sluice.url, ws);
    expect([
      staged.get('dedup/one.bin')?.hash,
      staged.get('dedup/two.bin')?.hash,
      staged.get('dedup/three.bin')?.hash,
    ]).toEqual([hash, hash, hash]);
  });

  it('hands its spool segments from its API to its worker in memory when it is both, reading none back', async () => {
    const spoolGets = async () => (await send(sluice.url, 'GET', '/api/stats')).json().store_requests.spool?.get ?? 0;
    const before = await spoolGets();
    const parts = Array.from({ length: 20 }, (_, i) => ({
      filename: `f${i}.txt`,
      content: `hand-off ${i}\n`.repeat(500),
      gzip: true,
    }));
    expect((await upload(sluice.url, `${ws}/files/handoff`, parts)).json().paths).toHaveLength(20);
    expect(await spoolGets()).toBe(before);
    expect((await stagedFiles(sluice.url, ws)).get('handoff/f7.txt')?.size).toBe('hand-off 7\n'.length * 500);
  });

  it('does not stage content identical to the base commit, yet echoes it; changed content is modified', async () => {
    const base = await freshWorkspace([
      { path: 'data/a.txt', contents: 'committed' },
      { path: 'data/b.txt', contents: 'old' },
    ]);
    const reply = await upload(sluice.url, `${base}/files/data`, [
      { filename: 'a.txt', content: 'committed', gzip: true },
      { filename: 'b.txt', content: 'new', gzip: true },
      { filename: 'c.txt', content: 'added' },
    ]);
    expect(reply.json().paths).toEqual(['data/a.txt', 'data/b.txt', 'data/c.txt']);
    const staged = await stagedFiles(sluice.url, base);
    expect([...staged.keys()].sort()).toEqual(['data/b.txt', 'data/c.txt']);
    expect(staged.get('data/b.txt')?.status).toBe('modified');
    expect(staged.get('data/c.txt')?.status).toBe('added');
    // a committed file reads back through the workspace from the base commit
    const committed = await send(sluice.url, 'GET', `${base}/files/data/a.txt`);
    expect(committed.body.toString()).toBe('committed');
    expect(committed.headers['oxen-revision-id']).not.toBe('0');
  });

  it('rejects the whole request when one path is invalid: 400, nothing staged, no spool left', async () => {
    const target = await freshWorkspace();
    const reply = await upload(sluice.url, `${target}/files/data`, [
      { filename: 'fine.txt', content: 'fine' },
      { filename: '../escape.txt', content: 'bad' },
    ]);
    expect(reply.status).toBe(400);
    expect(reply.json()).toMatchObject({ status: 'error', error: { type: 'invalid_path' } });
    expect(reply.json().error.detail).toMatch(/parent directory/);
    expect((await stagedFiles(sluice.url, target)).size).toBe(0);
    expect(await listKeys(await env.store(), 'spool/')).toEqual([]);
  });

  it('fails a corrupt gzip part alone: left out of paths, its error in the job', async () => {
    const corrupt = gzipSync('will be cut').subarray(0, 12);
    const sync = await upload(sluice.url, `${ws}/files/gz`, [
      { filename: 'ok.txt', content: 'fine', gzip: true },
      { filename: 'bad.txt', content: corrupt, contentType: 'application/gzip' },
    ]);
    expect(sync.status).toBe(200);
    expect(sync.json().paths).toEqual(['gz/ok.txt']);

    const accepted = await upload(
      sluice.url,
      `${ws}/files/gz`,
      [{ filename: 'bad2.txt', content: corrupt, contentType: 'application/gzip' }],
      { prefer: 'respond-async' },
    );
    expect(accepted.status).toBe(202);
    const job = await waitForJob(sluice.url, accepted.headers.location as string);
    expect(job.state).toBe('completed');
    expect(job.files).toEqual([
      { path: 'gz/bad2.txt', error: { code: 'corrupt_gzip', message: expect.stringMatching(/gzip/) } },
    ]);
    expect((await stagedFiles(sluice.url, ws)).has('gz/bad2.txt')).toBe(false);
  });

  it('answers 404 for an unknown workspace before reading the body', async () => {
    const repo = ws.replace(/\/workspaces\/.*/, '');
    const reply = await upload(sluice.url, `${repo}/workspaces/nope/files/data`, [{ filename: 'a.txt', content: 'a' }]);
    expect(reply.status).toBe(404);
    expect(reply.json()).toMatchObject({
      status: 'error',
      status_message: 'resource_not_found',
      status_description: 'Workspace not found: nope',
    });
    const noRepo = await upload(sluice.url, '/api/repos/ox/missing/workspaces/ws-1/files/data', [
      { filename: 'a.txt', content: 'a' },
    ]);
    expect(noRepo.status).toBe(404);
    expect(noRepo.json().status_description).toBe("Repository 'ox/missing' not found");
  });

  it('answers a request that is not multipart with a 4xx in the Oxen envelope', async () => {
    const reply = await sendJson(sluice.url, 'POST', `${ws}/files/data`, { not: 'multipart' });
    expect(reply.status).toBe(415);
    expect(reply.json()).toMatchObject({ status: 'error', error: { type: 'not_multipart' } });
  });

  it('runs asynchronously with progress and per-file results, and honours Idempotency-Key', async () => {
    const parts = [
      { filename: 'a.csv', content: 'x,y\n1,2\n', gzip: true },
      { filename: 'b.bin', content: randomBytes(3 * 1024 * 1024) }, // own spool object, streamed
    ];
    const headers = { prefer: 'respond-async', 'idempotency-key': 'batch-42' };
    const accepted = await upload(sluice.url, `${ws}/files/async`, parts, headers);
    expect(accepted.status).toBe(202);
    const location = accepted.headers.location as string;
    expect(location).toMatch(/^\/api\/jobs\//);
    const job = await waitForJob(sluice.url, location);
    expect(job).toMatchObject({ state: 'completed', workspace_id: 'ws-1', paths: ['async/a.csv', 'async/b.bin'] });
    expect(job.progress).toMatchObject({ files_done: 2, files_total: 2 });
    expect(job.files[0]).toEqual({
      path: 'async/a.csv',
      status: 'added',
      hash: await oxenHash('x,y\n1,2\n'),
      size: 8,
      mime_type: 'text/plain',
      data_type: 'tabular',
    });
    expect(job.files[1]).toMatchObject({
      path: 'async/b.bin',
      status: 'added',
      hash: await oxenHash(parts[1]!.content as Buffer),
      size: 3 * 1024 * 1024,
    });

    const again = await upload(sluice.url, `${ws}/files/async`, parts, headers);
    expect(again.status).toBe(202);
    expect(again.json().job.id).toBe(job.id);
    const syncAgain = await upload(sluice.url, `${ws}/files/async`, parts, { 'idempotency-key': 'batch-42' });
    expect(syncAgain.json().paths).toEqual(['async/a.csv', 'async/b.bin']);
    expect(await listKeys(await env.store(), 'spool/')).toEqual([]);

    expect((await send(sluice.url, 'GET', '/api/jobs/no-such-job')).status).toBe(404);
  });
});
