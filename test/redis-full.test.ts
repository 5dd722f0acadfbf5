import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';
import { listKeys, testEnv, type TestEnv } from './support/test-env.js';
import { repoWithWorkspace, send, sendJson, stagedFiles, upload } from './support/oxen-http.js';

/**
 * Redis past its maxmemory with noeviction refuses writes: sluice
 * says so, changes nothing, and resumes once there is memory again.
 */
describe('Redis memory full (maxmemory, noeviction)', () => {
  let redis: RedisServer;
  let client: Redis;
  let sluice: SluiceProcess;
  let env: TestEnv;
  let ws = '';

  beforeAll(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.url);
    env = testEnv('fs', { SLUICE_REDIS_URL: redis.url });
    sluice = await startSluice(env.env);
    ws = await repoWithWorkspace(sluice.url, 'ox', 'oom', 'w');
    expect(
      (await upload(sluice.url, `${ws}/files/d`, [{ filename: 'before.txt', content: 'before\n', gzip: true }])).status,
    ).toBe(200);
  });
  afterAll(async () => {
    client?.disconnect();
    await sluice?.stop();
    await redis?.stop();
  });

  it(
    'answers uploads and commits 503 redis_full while Redis refuses writes, ' +
      'stages and commits nothing, then resumes',
    async () => {
      // a maxmemory below what Redis holds: with noeviction every write is refused, reads are not
      const used = Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
      await client.config('SET', 'maxmemory-policy', 'noeviction');
      await client.config('SET', 'maxmemory', String(Math.floor(used / 2)));
      await expect(client.hset('probe', 'a', 'b')).rejects.toThrow(/^OOM/);
      const staged = await stagedFiles(sluice.url, ws);

      const refused = await upload(sluice.url, `${ws}/files/d`, [
        { filename: 'during.txt', content: 'during\n', gzip: true },
      ]);
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBeDefined();
      expect(refused.json()).toMatchObject({
        status: 'error',
        error: { type: 'redis_full', detail: expect.stringMatching(/out of memory/) },
      });
      const commit = await sendJson(sluice.url, 'POST', `${ws}/commit/main`, {
        message: 'during',
        author: 'ox',
        email: 'ox@example.com',
      });
      expect(commit.status).toBe(503);
      expect(commit.json().error.type).toBe('redis_full');
      // the batch route's spool is dropped too when its job cannot be enqueued (checked below)
      const batch = await upload(sluice.url, '/api/repos/ox/oom/versions', [
        { filename: 'abc123', content: 'during\n' },
      ]);
      expect(batch.status).toBe(503);
      expect(batch.json().error.type).toBe('redis_full');
      // reads still work, and nothing changed
      expect(await stagedFiles(sluice.url, ws)).toEqual(staged);
      expect((await send(sluice.url, 'GET', '/api/repos/ox/oom/branches/main')).status).toBe(200);
      expect(await listKeys(await env.store(), 'spool/')).toEqual([]);

      // room again (maxmemory lifted; freeing memory does the same):
      // everything works, and the commit holds what was staged before
      await client.config('SET', 'maxmemory', '0');
      expect(
        (await upload(sluice.url, `${ws}/files/d`, [{ filename: 'after.txt', content: 'after\n', gzip: true }])).json()
          .paths,
      ).toEqual(['d/after.txt']);
      const landed = await sendJson(sluice.url, 'POST', `${ws}/commit/main`, {
        message: 'after',
        author: 'ox',
        email: 'ox@example.com',
      });
      expect(landed.status).toBe(200);
      const listing = (await send(sluice.url, 'GET', '/api/repos/ox/oom/dir/main/d')).json();
      expect(listing.entries.map((e: { filename: string }) => e.filename).sort()).toEqual(['after.txt', 'before.txt']);
    },
  );
});
