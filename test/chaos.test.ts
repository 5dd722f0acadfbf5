import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';
import { freePort } from './support/free-port.js';
import { listKeys, testEnv } from './support/test-env.js';
import { repoWithWorkspace, send, stagedFiles, upload, type Part } from './support/oxen-http.js';
import { waitFor } from './support/wait-for.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('chaos: processes killed, Redis restarted, during a continuous ingest', () => {
  let redis: RedisServer;
  const running = new Set<SluiceProcess>();
  afterAll(async () => {
    for (const p of running) await p.stop();
    await redis?.stop();
  });

  it('keeps every acknowledged file, once, with the right hash', async () => {
    redis = await startRedisServer({ aof: true });
    const { env, store } = testEnv('fs', {
      SLUICE_REDIS_URL: redis.url,
      SLUICE_SPOOL_GRACE_SECONDS: '3',
      SLUICE_THREADS: '1',
    });
    const port = String(await freePort());
    const start = async (role: 'api' | 'worker') => {
      const p = await startSluice({ ...env, SLUICE_ROLE: role, SLUICE_PORT: port });
      running.add(p);
      return p;
    };
    let api = await start('api');
    let worker = await start('worker');
    const base = api.url;
    const ws = await repoWithWorkspace(base, 'ox', 'chaos', 'ws');

    // the dataset: 100 batches of 40 files; a fifth share content with another file
    const shared = Array.from({ length: 8 }, (_, i) => Buffer.from(`shared content ${i}`));
    const batches: Part[][] = Array.from({ length: 100 }, (_, b) =>
      Array.from({ length: 40 }, (_, f) => ({
        filename: `b${b}/f${f}.bin`,
        content: f % 5 === 0 ? shared[(b + f) % 8]! : randomBytes(1024 + f * 50),
        gzip: f % 2 === 0,
      })),
    );
    const acknowledged = new Map<string, string>();
    const statuses = new Map<number, number>();
    let retries = 0;

    // the stock client's way: send, then resend whatever is missing from the answer
    const ingest = async (parts: Part[], asyncMode: boolean) => {
      let missing = parts;
      for (let attempt = 0; attempt < 40 && missing.length > 0; attempt++) {
        if (attempt > 0) {
          retries++;
          await sleep(300);
        }
        let paths: string[] = [];
        try {
          const reply = await upload(base, `${ws}/files/chaos`, missing, asyncMode ? { prefer: 'respond-async' } : {});
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          if (reply.status === 503) expect(reply.headers['retry-after']).toBeDefined();
          if (reply.status === 200) paths = reply.json().paths;
          if (reply.status === 202) {
            const location = reply.headers.location as string;
            for (let polls = 0; polls < 600; polls++) {
              const polled = await send(base, 'GET', location).catch(() => null);
              const job = polled?.status === 200 ? polled.json().job : null;
              if (job?.state === 'completed') {
                paths = job.paths;
                break;
              }
              await sleep(100);
            }
          }
        } catch {
          statuses.set(0, (statuses.get(0) ?? 0) + 1); // connection refused or reset: the API was down
        }
        for (const path of paths) {
          const part = missing.find((p) => `chaos/${p.filename}` === path);
          if (part) acknowledged.set(path, await oxenHash(part.content));
        }
        missing = missing.filter((p) => !paths.includes(`chaos/${p.filename}`));
      }
      expect(missing.map((p) => p.filename)).toEqual([]);
    };

    const faults = (async () => {
      const events: string[] = [];
      await sleep(1500);
      await worker.kill();
      running.delete(worker);
      events.push('worker SIGKILL');
      await sleep(500);
      worker = await start('worker');
      await sleep(1500);
      await api.kill();
      running.delete(api);
      events.push('api SIGKILL');
      await sleep(700);
      api = await start('api');
      await sleep(1500);
      await redis.restart();
      events.push('redis restart');
      await sleep(1500);
      await worker.kill();
      running.delete(worker);
      events.push('worker SIGKILL');
      await sleep(500);
      worker = await start('worker');
      return events;
    })();

    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async (_, lane) => {
        while (next < batches.length) {
          const b = next++;
          await ingest(batches[b]!, (b + lane) % 2 === 1);
        }
      }),
    );
    const events = await faults;
    const seconds = (Date.now() - started) / 1000;

    // every acknowledged path is staged with its content's hash, and nothing else is
    const staged = await stagedFiles(base, ws);
    const lost = [...acknowledged].filter(([path, hash]) => staged.get(path)?.hash !== hash);
    expect(lost).toEqual([]);
    expect(staged.size).toBe(acknowledged.size);
    expect(acknowledged.size).toBe(4000);
    // during the faults the API answered 200, 202 or 503, never a 500
    expect([...statuses.keys()].filter((s) => s !== 0 && s !== 200 && s !== 202 && s !== 503)).toEqual([]);
    // the sweeper (3 s grace here) leaves no spool object behind
    const blobs = await store();
    await waitFor('the spool to be swept', async () => (await listKeys(blobs, 'spool/')).length === 0, 30_000, 500);
    console.log(
      `chaos: ${acknowledged.size} files in ${batches.length} batches over ${seconds.toFixed(1)} s; faults: ` +
        `${events.join(', ')}; ` +
        `answers ${JSON.stringify(Object.fromEntries(statuses))} (0 = connection refused); client retries ` +
        `${retries}; lost 0, duplicated 0`,
    );
  });
});
