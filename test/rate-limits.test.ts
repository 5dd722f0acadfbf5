import { afterAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { send } from './support/oxen-http.js';
import { waitFor } from './support/wait-for.js';

describe('rate limits shared by all API nodes', () => {
  const nodes: SluiceProcess[] = [];
  afterAll(async () => {
    for (const node of nodes) await node.stop();
  });

  it('answers 429 with Retry-After and RateLimit headers once the window is spent on either node', async () => {
    const { env } = testEnv('fs', { SLUICE_RATE_LIMIT: '6', SLUICE_RATE_LIMIT_WINDOW_SECONDS: '60', SLUICE_ROLE: 'api' });
    // a worker too, or the API nodes are not ready
    nodes.push(await startSluice(env), await startSluice(env), await startSluice({ ...env, SLUICE_ROLE: 'worker' }));
    const [a, b] = nodes as [SluiceProcess, SluiceProcess, SluiceProcess];
    await waitFor('the API nodes to see the worker', async () => (await send(a.url, 'GET', '/api/ready')).status === 200);
    const statuses: number[] = [];
    for (const node of [a, a, a, b, b, b]) statuses.push((await send(node.url, 'GET', '/api/repos/ox')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);

    const limited = await send(b.url, 'GET', '/api/repos/ox');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-limit']).toBe('6');
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(limited.json()).toMatchObject({ status: 'error', status_message: 'too_many_requests', error: { type: 'too_many_requests' } });
    expect((await send(a.url, 'GET', '/api/repos/ox')).status).toBe(429);
    // liveness and readiness are never limited
    expect((await send(a.url, 'GET', '/api/health')).status).toBe(200);
    expect((await send(a.url, 'GET', '/api/ready')).status).toBe(200);
  });
});
