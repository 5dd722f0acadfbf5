import { afterAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';
import { testEnv } from './support/test-env.js';
import { multipart, repoWithWorkspace, send } from './support/oxen-http.js';
import { request } from 'node:http';
import { waitFor } from './support/wait-for.js';

describe('when Redis goes away and comes back', () => {
  let redis: RedisServer;
  let sluice: SluiceProcess;
  afterAll(async () => {
    await sluice?.stop();
    await redis?.stop();
  });

  it('answers 503 with Retry-After (instead of waiting for Redis), never leaks a stack, and recovers', async () => {
    redis = await startRedisServer();
    sluice = await startSluice({ ...testEnv('fs').env, SLUICE_REDIS_URL: redis.url });
    const ws = await repoWithWorkspace(sluice.url, 'ox', 'outage', 'ws');

    redis.process().kill('SIGKILL');
    await waitFor('sluice to see Redis gone', async () => (await send(sluice.url, 'GET', '/api/ready')).status === 503);
    for (const path of [ws, `${ws}/changes`, '/api/jobs/00000000-0000-4000-8000-000000000000', '/api/ready']) {
      const reply = await send(sluice.url, 'GET', path);
      expect(reply.status, path).toBe(503);
      expect(reply.headers['retry-after']).toBe('5');
      expect(reply.json().status).toBe('error');
      expect(reply.body.toString()).not.toMatch(/node:internal|\bat \w+ \(/);
    }
    expect((await send(sluice.url, 'GET', '/api/health')).status).toBe(200);

    await redis.restart();
    // a fresh Redis (no persistence here) has lost the repository; the process is fine
    await waitFor('/api/ready to answer 200', async () => (await send(sluice.url, 'GET', '/api/ready')).status === 200);
    expect((await repoWithWorkspace(sluice.url, 'ox', 'after', 'ws')).length).toBeGreaterThan(0);
    // the outage in the log: a few warnings and a line when it is back, no stream of connection errors
    const lines = sluice.output().split('\n');
    const outage = lines.filter((line) => /unreachable|ECONNREFUSED|Connection is closed/.test(line));
    expect(outage.length, outage.join('\n')).toBeLessThanOrEqual(6);
    expect(lines.some((line) => /Redis is back/.test(line))).toBe(true);
    expect(sluice.output()).not.toMatch(/Unhandled error event|\n\s+at /);
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM finishes the upload in flight, refuses new connections, then exits 0', async () => {
    const sluice = await startSluice(testEnv('fs').env);
    const ws = await repoWithWorkspace(sluice.url, 'ox', 'shutdown', 'ws');
    const { body, contentType } = multipart([{ filename: 'late.txt', content: 'arrives after SIGTERM', gzip: true }]);
    const url = new URL(sluice.url);
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: `${ws}/files/data`,
          headers: { 'content-type': contentType, 'content-length': String(body.length) },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      // half the body now, half after the signal
      req.write(body.subarray(0, 40));
      setTimeout(() => {
        sluice.child.kill('SIGTERM');
        setTimeout(() => req.end(body.subarray(40)), 300);
      }, 200);
    });
    const exited = new Promise<number | null>((resolve) => sluice.child.once('exit', (code) => resolve(code)));
    const reply = await answer;
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text).paths).toEqual(['data/late.txt']);
    expect(await exited).toBe(0);
    // it said what it waited for, and for how long at most
    expect(sluice.output()).toMatch(/stopping: waiting for 1 request\(s\) and \d+ job\(s\) to finish, at most 30 s/);
    await expect(send(sluice.url, 'GET', '/api/health')).rejects.toThrow();
  });

  it('with Redis away and nothing in flight, stops at once (exit 0) instead of waiting for Redis', async () => {
    const redis = await startRedisServer();
    const sluice = await startSluice({ ...testEnv('fs').env, SLUICE_REDIS_URL: redis.url });
    await repoWithWorkspace(sluice.url, 'ox', 'away', 'ws');
    redis.process().kill('SIGKILL');
    await waitFor('sluice to see Redis gone', async () => (await send(sluice.url, 'GET', '/api/ready')).status === 503);
    const exited = new Promise<number | null>((resolve) => sluice.child.once('exit', (code) => resolve(code)));
    sluice.child.kill('SIGTERM');
    // the drain's deadline (30 s) would exit 1: 0 says nothing was waited for
    expect(await exited, sluice.output()).toBe(0);
    expect(sluice.output()).toMatch(/stopping: nothing in flight/);
    expect(sluice.output()).not.toMatch(/stopped waiting/);
    await redis.stop();
  });

  it('exits at once on a second signal', async () => {
    const sluice = await startSluice(testEnv('fs').env);
    const ws = await repoWithWorkspace(sluice.url, 'ox', 'impatient', 'ws');
    const url = new URL(sluice.url);
    // an upload that never finishes sending keeps the first shutdown waiting
    const req = request({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: `${ws}/files/data`,
      headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': '100000' },
    });
    req.on('error', () => undefined);
    req.write('--x\r\n');
    await waitFor('the upload to be read', () => sluice.output().includes(`${ws}/files/data`));
    const exited = new Promise<number | null>((resolve) => sluice.child.once('exit', (code) => resolve(code)));
    sluice.child.kill('SIGTERM');
    await waitFor('the stop to begin', () => /stopping/.test(sluice.output()));
    sluice.child.kill('SIGTERM');
    expect(await exited).toBe(1);
    // the second signal ended it, not the drain's deadline
    expect(sluice.output()).toMatch(/second signal: exiting at once/);
    req.destroy();
  });
});
