import { randomBytes } from 'node:crypto';
import { request, type ClientRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { listKeys, storeKinds, testEnv, type StoreKind } from './support/test-env.js';
import { repoWithWorkspace, send, stagedFiles } from './support/oxen-http.js';
import { waitFor } from './support/wait-for.js';

/** Past two 32 MiB spool chunks: a digest job starts on it while the rest arrives. */
const largeBytes = 72 * 1024 * 1024;

/** The value of one sample in a Prometheus text exposition (0 when absent). */
async function sample(metricsUrl: string, name: string): Promise<number> {
  const text = (await send(metricsUrl, 'GET', '/metrics')).body.toString();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

/**
 * A one-part multipart upload sent by hand, so that a test can stop between two pieces of the
 * body (to kill a process, or to abort) while the part is half-sent.
 */
function openUpload(base: string, path: string, filename: string, content: Buffer, gzip: boolean) {
  const boundary = 'sluiceearlystart';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file[]"; ` +
      `filename="${filename}"\r\n${gzip ? 'Content-Type: application/gzip\r\n' : ''}\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL(base);
  let req!: ClientRequest;
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path,
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + content.length + tail.length),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
  });
  const write = (data: Buffer) =>
    new Promise<void>((resolve, reject) => req.write(data, (error) => (error ? reject(error) : resolve())));
  return {
    answer,
    /** Sends the head and the first `bytes` of the content. */
    start: async (bytes: number) => {
      await write(head);
      await write(content.subarray(0, bytes));
    },
    finish: async (from: number) => {
      await write(content.subarray(from));
      req.end(tail);
    },
    abort: () => req.destroy(),
  };
}

describe('large parts processed while they arrive (digest jobs)', () => {
  const running: SluiceProcess[] = [];
  afterEach(async () => {
    for (const p of running.splice(0)) await p.stop();
  });

  for (const kind of storeKinds() as StoreKind[]) {
    it(`stages a gzip part from its digest, with the hash of the whole content (${kind} store)`, async () => {
      const { env, store } = testEnv(kind);
      const sluice = await startSluice(env);
      running.push(sluice);
      const ws = await repoWithWorkspace(sluice.url, 'ox', 'early', 'ws');
      const inflated = randomBytes(largeBytes);
      const upload = openUpload(sluice.url, `${ws}/files/data`, 'big.bin', gzipSync(inflated, { level: 1 }), true);
      await upload.start(40 * 1024 * 1024);
      await waitFor('the digest to start', () => /digest started/.test(sluice.output()));
      await upload.finish(40 * 1024 * 1024);
      const reply = await upload.answer;
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body).paths).toEqual(['data/big.bin']);
      expect((await stagedFiles(sluice.url, ws)).get('data/big.bin')).toEqual({
        hash: await oxenHash(inflated),
        size: largeBytes,
        status: 'added',
      });
      expect(await sample(sluice.url, 'sluice_digests_total{result="used"}')).toBe(1);
      expect(await sample(sluice.url, 'sluice_digests_total{result="streamed_again"}')).toBe(0);
      const back = await send(sluice.url, 'GET', `${ws}/files/data/big.bin`);
      expect(back.body.equals(inflated)).toBe(true);
      expect(await listKeys(await store(), 'spool/')).toEqual([]);
    });
  }

  it('a client that aborts mid-part leaves nothing staged and nothing in the spool, its digest stopped', async () => {
    const { env, store } = testEnv('fs');
    const sluice = await startSluice(env);
    running.push(sluice);
    const ws = await repoWithWorkspace(sluice.url, 'ox', 'early', 'ws');
    const upload = openUpload(sluice.url, `${ws}/files/data`, 'half.bin', randomBytes(largeBytes), false);
    upload.answer.catch(() => undefined);
    await upload.start(40 * 1024 * 1024);
    await waitFor('the digest to start', () => /digest started/.test(sluice.output()));
    upload.abort();
    await waitFor('the digest to stop', () => /the upload failed[^\n]*digest stopped/.test(sluice.output()));
    await waitFor('an empty spool', async () => (await listKeys(await store(), 'spool/')).length === 0);
    expect((await stagedFiles(sluice.url, ws)).size).toBe(0);
    expect(await listKeys(await store(), 'versions/')).toEqual([]);
  });

  it(
    'an API node killed mid-part: ' + 'the digest gives up once no chunk comes, the sweeper empties the spool',
    async () => {
      // a grace of 2 s: the digest waits 2 s for a chunk, the sweeper removes 2 s old orphans
      const { env, store } = testEnv('fs', { SLUICE_SPOOL_GRACE_SECONDS: '2' });
      const api = await startSluice({ ...env, SLUICE_ROLE: 'api' });
      const worker = await startSluice({ ...env, SLUICE_ROLE: 'worker' });
      running.push(worker, api);
      const ws = await repoWithWorkspace(api.url, 'ox', 'early', 'ws');
      const upload = openUpload(api.url, `${ws}/files/data`, 'orphan.bin', randomBytes(largeBytes), false);
      upload.answer.catch(() => undefined);
      await upload.start(40 * 1024 * 1024);
      await waitFor('the digest to start', () => /digest started/.test(worker.output()));
      await api.kill();
      await waitFor('the digest to give up', () => /no new chunk[^\n]*digest stopped/.test(worker.output()), 20_000);
      // the sweeper's lease lets one sweep run per 30 s at most
      await waitFor('an empty spool', async () => (await listKeys(await store(), 'spool/')).length === 0, 45_000, 500);
      expect(await listKeys(await store(), 'versions/')).toEqual([]);
    },
    90_000,
  );

  it('a worker killed mid-digest: the ingest job streams the part itself and stages the right hash', async () => {
    const { env, store } = testEnv('fs');
    const api = await startSluice({ ...env, SLUICE_ROLE: 'api' });
    const first = await startSluice({ ...env, SLUICE_ROLE: 'worker' });
    running.push(first, api);
    const ws = await repoWithWorkspace(api.url, 'ox', 'early', 'ws');
    const content = randomBytes(largeBytes);
    const upload = openUpload(api.url, `${ws}/files/data`, 'survivor.bin', content, false);
    await upload.start(40 * 1024 * 1024);
    await waitFor('the digest to start', () => /digest started/.test(first.output()));
    await first.kill();
    const second = await startSluice({ ...env, SLUICE_ROLE: 'worker' });
    running.push(second);
    await upload.finish(40 * 1024 * 1024);
    const reply = await upload.answer;
    expect(reply.status).toBe(200);
    expect((await stagedFiles(api.url, ws)).get('data/survivor.bin')).toEqual({
      hash: await oxenHash(content),
      size: largeBytes,
      status: 'added',
    });
    expect(await sample(second.metricsUrl, 'sluice_digests_total{result="streamed_again"}')).toBe(1);
    expect(await listKeys(await store(), 'spool/')).toEqual([]);
  });
});
