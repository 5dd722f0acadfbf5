import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { repoWithWorkspace, sendJson, stagedFiles, upload } from './support/oxen-http.js';

/**
 * Runs in the redis-cluster project only: the rest of that project proves the routes work on a
 * cluster; this proves the data really is spread over its masters, each repository on its slot.
 */
describe.runIf(inject('redisCluster'))('sluice on a Redis Cluster of three masters', () => {
  let sluice: SluiceProcess;
  let keyPrefix: string;
  beforeAll(async () => {
    const env = testEnv('fs');
    keyPrefix = env.env.SLUICE_KEY_PREFIX!;
    sluice = await startSluice(env.env);
  });
  afterAll(async () => sluice?.stop());

  it('spreads repositories over the masters while the queue stays on one slot, and commits on each', async () => {
    const repos = Array.from({ length: 12 }, (_, i) => `spread${i}`);
    for (const repo of repos) {
      const ws = await repoWithWorkspace(sluice.url, 'cl', repo, 'ws');
      expect(
        (await upload(sluice.url, `${ws}/files/d`, [{ filename: `${repo}.txt`, content: repo, gzip: true }])).status,
      ).toBe(200);
      expect([...(await stagedFiles(sluice.url, ws)).keys()]).toEqual([`d/${repo}.txt`]);
      const commit = await sendJson(sluice.url, 'POST', `${ws}/merge/main`, {
        message: 'one file',
        author: 'a',
        email: 'a@x',
      });
      expect(commit.status).toBe(200);
    }

    const nodes = inject('redisUrl')
      .split(',')
      .map((url) => new Redis(url));
    try {
      const perNode: string[][] = [];
      for (const node of nodes) {
        const keys: string[] = [];
        for await (const batch of node.scanStream({ match: `*${keyPrefix}*`, count: 1000 }))
          keys.push(...(batch as string[]));
        perNode.push(keys);
      }
      const holding = perNode.filter((keys) => keys.some((key) => key.includes(':r:cl/')));
      expect(holding.length).toBeGreaterThanOrEqual(2);
      const queueNodes = perNode.filter((keys) => keys.some((key) => key.startsWith(`{${keyPrefix}:q}`)));
      expect(queueNodes).toHaveLength(1);
    } finally {
      for (const node of nodes) node.disconnect();
    }
  });
});
