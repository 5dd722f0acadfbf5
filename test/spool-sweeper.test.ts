import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { FsBlobStore, uploadPartKey } from '@sluice/storage';
import { createIngestQueue } from '@sluice/queue';
import { connectRedis, UploadStore } from '@sluice/index';
import { SpoolSweeper } from '@sluice/ingest';
import { listKeys, testRedisTarget } from './support/test-env.js';

describe('the spool sweeper', () => {
  const keyPrefix = `sweep${Date.now().toString(36)}`;
  const redis = connectRedis(testRedisTarget());
  const queue = createIngestQueue(redis, keyPrefix);
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
  });

  it('removes stale spool objects no unfinished job references, and keeps the rest', async () => {
    const store = new FsBlobStore({ root: mkdtempSync(join(tmpdir(), 'sluice-sweep-')), fsync: false });
    const job = await queue.add('ingest', {
      namespace: 'ox', repo: 'r', workspaceId: 'w', spoolKeys: ['spool/live/0', 'spool/live/1'], parts: [], bytes: 0, stage: true,
    }, { jobId: 'waiting-job' });
    // a resumable upload still in progress keeps its parts however old; one that ended does not
    const upload = await new UploadStore(redis, keyPrefix).begin({ namespace: 'ox', repo: 'r', hash: 'ab', size: 2, partSize: 1, numParts: 2, partWindow: 2, destination: null });
    const livePart = uploadPartKey(upload.id, 1);
    const endedPart = uploadPartKey('00000000-0000-4000-8000-000000000000', 1);
    for (const key of ['spool/live/0', 'spool/live/1', 'spool/dead/0', 'spool/pending/waiting-job-3', 'spool/pending/gone-job-1', livePart, endedPart]) {
      await store.put(key, Buffer.from(key));
    }
    const options = { store, queue, redis, keyPrefix, graceSeconds: 60, logger: pino({ level: 'silent' }) };
    const sweeper = new SpoolSweeper(options);

    // nothing is older than the grace period yet
    expect(await sweeper.sweepOnce()).toEqual([]);
    await redis.del(`${keyPrefix}:spool-sweeper`);

    const removed = await sweeper.sweepOnce(Date.now() + 120_000);
    expect(removed.sort()).toEqual([endedPart, 'spool/dead/0', 'spool/pending/gone-job-1'].sort());
    expect((await listKeys(store, 'spool/')).sort()).toEqual(['spool/live/0', 'spool/live/1', 'spool/pending/waiting-job-3', livePart].sort());

    // another worker process finds the lease taken and does nothing
    await store.put('spool/dead/1', Buffer.from('x'));
    expect(await new SpoolSweeper(options).sweepOnce(Date.now() + 120_000)).toEqual([]);
    expect(await listKeys(store, 'spool/dead/')).toEqual(['spool/dead/1']);
    expect(job.id).toBe('waiting-job');
  });
});
