import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/repo-root.js';
import { tempDir } from './support/temp-dirs.js';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { send } from './support/oxen-http.js';
import { waitFor } from './support/wait-for.js';
import { StockClient } from './conformance/stock-client.js';

describe('rate limits shared by all API nodes', () => {
  const nodes: SluiceProcess[] = [];
  afterAll(async () => {
    for (const node of nodes) await node.stop();
  });

  it('answers 429 with Retry-After and RateLimit headers once the window is spent on either node', async () => {
    const { env } = testEnv('fs', {
      SLUICE_RATE_LIMIT: '6',
      SLUICE_RATE_LIMIT_WINDOW_SECONDS: '60',
      SLUICE_ROLE: 'api',
    });
    // a worker too, or the API nodes are not ready
    nodes.push(await startSluice(env), await startSluice(env), await startSluice({ ...env, SLUICE_ROLE: 'worker' }));
    const [a, b] = nodes as [SluiceProcess, SluiceProcess, SluiceProcess];
    await waitFor(
      'the API nodes to see the worker',
      async () => (await send(a.url, 'GET', '/api/ready')).status === 200,
    );
    const statuses: number[] = [];
    for (const node of [a, a, a, b, b, b]) statuses.push((await send(node.url, 'GET', '/api/repos/ox')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);

    const limited = await send(b.url, 'GET', '/api/repos/ox');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-limit']).toBe('6');
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(limited.json()).toMatchObject({
      status: 'error',
      status_message: 'too_many_requests',
      error: { type: 'too_many_requests' },
    });
    expect((await send(a.url, 'GET', '/api/repos/ox')).status).toBe(429);
    // liveness and readiness are never limited
    expect((await send(a.url, 'GET', '/api/health')).status).toBe(200);
    expect((await send(a.url, 'GET', '/api/ready')).status).toBe(200);
  });
});

describe('rate limits with tokens', () => {
  let sluice: SluiceProcess | undefined;
  afterAll(async () => sluice?.stop());
  const tokensFile = join(tempDir('sluice-rate-'), 'tokens.json');
  const createToken = (name: string, scope: string): string => {
    const result = spawnSync(
      process.execPath,
      [join(repoRoot(), 'apps/sluice/dist/main.js'), 'token', 'create', '--name', name, '--scope', scope],
      {
        env: { PATH: process.env.PATH, SLUICE_AUTH_TOKENS_FILE: tokensFile },
        encoding: 'utf8',
      },
    );
    expect(result.status, result.stderr).toBe(0);
    return result.stdout.trim();
  };
  const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  it('gives two tokens of one name their own buckets, and counts token guesses on the probes', async () => {
    // one name, two namespaces: two tenants whose operators happened to name their tokens alike
    const first = createToken('ci', 'one:write');
    const second = createToken('ci', 'two:write');
    const admin = createToken('ops', '*:admin');
    sluice = await startSluice(
      testEnv('fs', { SLUICE_AUTH: 'on', SLUICE_AUTH_TOKENS_FILE: tokensFile, SLUICE_RATE_LIMIT: '3' }).env,
    );
    const url = sluice.url;
    for (let i = 0; i < 3; i++) expect((await send(url, 'GET', '/api/repos/one', as(first))).status).toBe(200);
    expect((await send(url, 'GET', '/api/repos/one', as(first))).status).toBe(429);
    expect((await send(url, 'GET', '/api/repos/two', as(second))).status).toBe(200);

    // the address's bucket, spent by guesses on the probes themselves: the fourth guess is refused
    const guesses: number[] = [];
    for (const path of ['/api/ready', '/metrics', '/api/ready', '/metrics'])
      guesses.push((await send(url, 'GET', path, as(`sluice_guess${guesses.length}`))).status);
    expect(guesses).toEqual([401, 401, 401, 429]);
    expect((await send(url, 'GET', '/api/ready', as('sluice_guess9'))).status).toBe(429);
    // a valid token's probes and scrapes are not counted, however many
    for (let i = 0; i < 5; i++) {
      await waitFor('ready', async () => (await send(url, 'GET', '/api/ready', as(admin))).status === 200);
      expect((await send(url, 'GET', '/metrics', as(admin))).status).toBe(200);
    }
  }, 180_000);
});

/**
 * Reads of content in a class of their own (issue 29, item 4): the stock client downloads a
 * dataset one request per file, which the general limit refused past its 6,000th file a minute.
 */
describe('rate limits for reads of content', () => {
  const nodes: SluiceProcess[] = [];
  afterAll(async () => {
    for (const node of nodes) await node.stop();
  });

  it('lets 7,000 file reads through in a minute with the defaults, none counted in the general limit', async () => {
    const { env } = testEnv('fs');
    expect(env.SLUICE_RATE_LIMIT).toBeUndefined();
    const sluice = await startSluice(env);
    nodes.push(sluice);
    const client = new StockClient(sluice.url, 'ox', 'reads');
    try {
      const files = [{ path: 'a.txt', contents: 'a\n' }];
      const created = await client.json('POST', '/api/repos', { namespace: 'ox', name: 'reads', files });
      expect(created.status).toBe(200);
      let next = 0;
      const statuses = new Map<number, number>();
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < 7_000) {
            next += 1;
            const { status } = await client.get(`${client.R}/file/main/a.txt`);
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
          }
        }),
      );
      expect(Object.fromEntries(statuses)).toEqual({ 200: 7_000 });
      const general = await client.get(client.R);
      expect(general.status).toBe(200);
      expect(Number(general.headers['ratelimit-remaining'])).toBeGreaterThan(5_990);
    } finally {
      client.close();
    }
  }, 300_000);

  it('counts file, meta, chunk and archive reads in one read bucket, apart from the general one', async () => {
    const { env } = testEnv('fs', { SLUICE_RATE_LIMIT: '3', SLUICE_READ_RATE_LIMIT: '4' });
    const sluice = await startSluice(env);
    nodes.push(sluice);
    const R = '/api/repos/ox/few';
    expect(
      (
        await send(sluice.url, 'POST', '/api/repos', {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ namespace: 'ox', name: 'few', files: [{ path: 'a.txt', contents: 'a\n' }] }),
        })
      ).status,
    ).toBe(200);
    const reads = [`${R}/file/main/a.txt`, `${R}/meta/main/a.txt`, `${R}/chunk/main/a.txt`, `${R}/archive/main`];
    for (const path of reads) expect((await send(sluice.url, 'GET', path)).status, path).toBe(200);
    const refused = await send(sluice.url, 'GET', `${R}/file/main/a.txt`);
    expect(refused.status).toBe(429);
    expect(refused.headers['ratelimit-limit']).toBe('4');
    expect(refused.json()).toMatchObject({ status: 'error', error: { type: 'too_many_requests' } });
    expect(refused.json().error.detail).toMatch(/SLUICE_READ_RATE_LIMIT/);
    // the general bucket saw one request (the creation): two more, then refused; reads stay refused
    expect((await send(sluice.url, 'GET', R)).status).toBe(200);
    expect((await send(sluice.url, 'GET', R)).status).toBe(200);
    expect((await send(sluice.url, 'GET', R)).status).toBe(429);
    expect((await send(sluice.url, 'GET', `${R}/archive/main`)).status).toBe(429);
  }, 120_000);
});
