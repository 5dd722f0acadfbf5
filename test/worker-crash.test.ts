import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { listKeys, testEnv } from './support/test-env.js';
import { repoWithWorkspace, send, stagedFiles, upload, waitForJob, type Part } from './support/oxen-http.js';
import { waitFor } from './support/wait-for.js';

describe('a worker process killed with SIGKILL mid-job', () => {
  const running: SluiceProcess[] = [];
  afterAll(async () => {
    for (const p of running) await p.stop();
  });

  it('is replaced by a retry: every file staged once with the right hash, nothing left in the spool', async () => {
    const { env, store } = testEnv('fs', { SLUICE_THREADS: '1', SLUICE_WORKER_CONCURRENCY: '2' });
    const api = await startSluice({ ...env, SLUICE_ROLE: 'api' });
    running.push(api);
    const ws = await repoWithWorkspace(api.url, 'ox', 'crash', 'ws');

    // 24 requests, each 40 small gzipped files and one 4 MiB part that is streamed (gzipped in
    // every other request: kept as sent, in a pack of its own).
    const expected = new Map<string, string>();
    const requests: Part[][] = [];
    for (let r = 0; r < 24; r++) {
      const parts: Part[] = [];
      for (let f = 0; f < 40; f++) {
        // every fifth file repeats content from another request, so dedup is exercised too
        const content = f % 5 === 0 ? `shared-${f}` : randomBytes(48 * 1024);
        parts.push({ filename: `r${r}/f${f}.bin`, content, gzip: true });
      }
      parts.push({ filename: `r${r}/large.bin`, content: randomBytes(4 * 1024 * 1024), gzip: r % 2 === 0 });
      for (const part of parts) expected.set(`crash/${part.filename}`, await oxenHash(part.content));
      requests.push(parts);
    }
    const locations: string[] = [];
    for (const parts of requests) {
      const reply = await upload(api.url, `${ws}/files/crash`, parts, { prefer: 'respond-async' });
      expect(reply.status).toBe(202);
      locations.push(reply.headers.location as string);
    }

    let kills = 0;
    for (; kills < 2; kills++) {
      const worker = await startSluice({ ...env, SLUICE_ROLE: 'worker' });
      running.push(worker);
      // kill while a job is in the middle of its work
      await waitFor(
        'an active job',
        async () => {
          for (const location of locations)
            if ((await send(api.url, 'GET', location)).json().job.state === 'active') return true;
          return false;
        },
        30_000,
        20,
      );
      await worker.kill();
    }
    const started = Date.now();
    const survivor = await startSluice({ ...env, SLUICE_ROLE: 'worker' });
    running.push(survivor);

    const jobs = [];
    for (const location of locations) jobs.push(await waitForJob(api.url, location, 90_000));
    const recoverySeconds = (Date.now() - started) / 1000;
    expect(jobs.map((j) => j.state)).toEqual(locations.map(() => 'completed'));
    jobs.forEach((job, r) => {
      expect(job.paths).toEqual(requests[r]!.map((p) => `crash/${p.filename}`));
      expect(job.files.every((f: { error?: unknown }) => f.error === undefined)).toBe(true);
    });

    const staged = await stagedFiles(api.url, ws);
    expect(staged.size).toBe(expected.size);
    for (const [path, hash] of expected) expect(staged.get(path)?.hash, path).toBe(hash);

    const blobs = await store();
    expect(await listKeys(blobs, 'spool/')).toEqual([]);
    // the plain large parts are objects of their own, once each;
    // the small files and the gzipped large parts sit in packs
    expect((await listKeys(blobs, 'versions/')).length).toBe(requests.length / 2);
    // every file reads back as the bytes it was uploaded with, wherever they were stored
    const contents = new Map(
      requests.flatMap((parts) => parts.map((p) => [`crash/${p.filename}`, Buffer.from(p.content)] as const)),
    );
    for (const path of expected.keys()) {
      const read = await send(api.url, 'GET', `${ws}/files/${path}`);
      expect(read.status, path).toBe(200);
      expect(read.body.equals(contents.get(path)!), path).toBe(true);
    }
    // what the kills cost: packs written by attempts that died, beyond the bytes each content needs once
    let packed = 0;
    for await (const info of blobs.list('packs/')) packed += info.size;
    const small = new Map(
      requests.flatMap((parts) =>
        parts
          .filter((p) => !p.filename!.endsWith('large.bin'))
          .map((p) => [expected.get(`crash/${p.filename}`)!, Buffer.byteLength(p.content)] as const),
      ),
    );
    const needed = [...small.values()].reduce((sum, n) => sum + n, 0);
    expect(packed).toBeGreaterThanOrEqual(needed);
    console.log(
      `worker crash: ${expected.size} files in ${locations.length} jobs, ${kills} SIGKILLs, all completed ` +
        `${recoverySeconds.toFixed(1)} s after the last kill, lost 0, duplicated 0; packs hold ${packed} bytes ` +
        `for ${needed} bytes of small content (${((packed / needed - 1) * 100).toFixed(1)}% more: indexes and ` +
        `packs of killed attempts, swept after the grace period)`,
    );
  });
});
