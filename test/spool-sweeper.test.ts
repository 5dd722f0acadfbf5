import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { chunkKey, encodePack, FsBlobStore, packKey, uploadPartKey } from '@sluice/storage';
import { createIngestQueue } from '@sluice/queue';
import { connectRedis, PackIndex, RedisKeys, UploadStore, VersionReader, VersionWriter } from '@sluice/repository';
import { SpoolSweeper } from '@sluice/ingest';
import { listKeys, testRedisTarget } from './support/test-env.js';
import { tempDir } from './support/temp-dirs.js';

const settings = (keyPrefix: string) => ({ keyPrefix, graceSeconds: 60, logger: pino({ level: 'silent' }) });

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
    const store = new FsBlobStore({ root: tempDir('sluice-sweep-'), fsync: false });
    const job = await queue.add(
      'ingest',
      {
        namespace: 'ox',
        repo: 'r',
        workspaceId: 'w',
        spoolKeys: ['spool/live/0', 'spool/live/1'],
        parts: [],
        bytes: 0,
        stage: true,
      },
      { jobId: 'waiting-job' },
    );
    // a resumable upload still in progress keeps its parts however old; one that ended does not
    const upload = await new UploadStore(redis, keyPrefix).begin({
      namespace: 'ox',
      repo: 'r',
      hash: 'ab',
      size: 2,
      partSize: 1,
      numParts: 2,
      partWindow: 2,
      destination: null,
    });
    const livePart = uploadPartKey(upload.id, 1);
    const endedPart = uploadPartKey('00000000-0000-4000-8000-000000000000', 1);
    for (const key of [
      'spool/live/0',
      'spool/live/1',
      'spool/dead/0',
      'spool/pending/waiting-job-3',
      'spool/pending/gone-job-1',
      livePart,
      endedPart,
    ]) {
      await store.put(key, Buffer.from(key));
    }
    const packs = new PackIndex(redis, new RedisKeys(keyPrefix));
    const deps = { store, ingestQueue: queue, uploads: new UploadStore(redis, keyPrefix), redis, packs };
    const sweeper = new SpoolSweeper(deps, settings(keyPrefix));

    // nothing is older than the grace period yet
    expect(await sweeper.sweepOnce()).toEqual([]);
    await redis.del(`${keyPrefix}:spool-sweeper`);

    const removed = await sweeper.sweepOnce(Date.now() + 120_000);
    expect(removed.sort()).toEqual([endedPart, 'spool/dead/0', 'spool/pending/gone-job-1'].sort());
    expect((await listKeys(store, 'spool/')).sort()).toEqual(
      ['spool/live/0', 'spool/live/1', 'spool/pending/waiting-job-3', livePart].sort(),
    );

    // another worker process finds the lease taken and does nothing
    await store.put('spool/dead/1', Buffer.from('x'));
    expect(await new SpoolSweeper(deps, settings(keyPrefix)).sweepOnce(Date.now() + 120_000)).toEqual([]);
    expect(await listKeys(store, 'spool/dead/')).toEqual(['spool/dead/1']);
    expect(job.id).toBe('waiting-job');
  });

  it('removes chunks of the chunked /versions route never completed, and keeps those a job still reads', async () => {
    const prefix = `${keyPrefix}c`;
    const chunkQueue = createIngestQueue(redis, prefix);
    try {
      const store = new FsBlobStore({ root: tempDir('sluice-sweep-chunks-'), fsync: false });
      const reading = [chunkKey('ox', 'r', 'aa11', 0), chunkKey('ox', 'r', 'aa11', 100)];
      const abandoned = [chunkKey('ox', 'r', 'bb22', 0), chunkKey('other', 'r', 'cc33', 0)];
      await chunkQueue.add(
        'ingest',
        { namespace: 'ox', repo: 'r', workspaceId: '', spoolKeys: reading, parts: [], bytes: 0, stage: false },
        { jobId: 'completing' },
      );
      for (const key of [...reading, ...abandoned]) await store.put(key, Buffer.from(key));
      const packs = new PackIndex(redis, new RedisKeys(prefix));
      const uploads = new UploadStore(redis, prefix);
      const sweeper = new SpoolSweeper({ store, ingestQueue: chunkQueue, uploads, redis, packs }, settings(prefix));
      expect(await sweeper.sweepOnce()).toEqual([]);
      await redis.del(`${prefix}:spool-sweeper`);
      expect((await sweeper.sweepOnce(Date.now() + 120_000)).sort()).toEqual(abandoned.sort());
      expect((await listKeys(store, 'chunks/')).sort()).toEqual(reading.sort());
    } finally {
      await chunkQueue.obliterate({ force: true });
      await chunkQueue.close();
    }
  });

  it('removes packs a dead writer left unrecorded, unless a version is located in them', async () => {
    const prefix = `${keyPrefix}p`;
    const store = new FsBlobStore({ root: tempDir('sluice-sweep-packs-'), fsync: false });
    const packs = new PackIndex(redis, new RedisKeys(prefix));
    const version = (text: string) => ({ hash: text.padEnd(32, '0'), bytes: Buffer.from(text) });
    // written and recorded: in use
    await new VersionWriter(store, packs, 1024).write([version('a1'), version('b2')]);
    // begun and written, then the writer died: an orphan
    const orphan = encodePack([version('c3')]);
    await packs.begin(orphan.id);
    await store.put(packKey(orphan.id), orphan.chunks);
    // the loser of a race, dead before recording: a1 is located in the winner's pack, e5 nowhere
    const loser = encodePack([version('a1'), version('e5')]);
    await packs.begin(loser.id);
    await store.put(packKey(loser.id), loser.chunks);
    // recorded, then the writer died before it could say so: kept
    const recorded = encodePack([version('f6')]);
    await packs.begin(recorded.id);
    await store.put(packKey(recorded.id), recorded.chunks);
    await packs.record(recorded.id, recorded.entries);
    await packs.begin(recorded.id);

    const uploads = new UploadStore(redis, prefix);
    const sweeper = new SpoolSweeper({ store, ingestQueue: queue, uploads, redis, packs }, settings(prefix));
    expect(await sweeper.sweepOnce()).toEqual([]);
    await redis.del(`${prefix}:spool-sweeper`);
    const removed = await sweeper.sweepOnce(Date.now() + 120_000);
    expect(removed.sort()).toEqual([packKey(orphan.id), packKey(loser.id)].sort());
    expect(await packs.unrecorded(Date.now() + 120_000)).toEqual([]);
    // every version located is still readable
    const reader = new VersionReader(store, packs);
    const described = await reader.describeAll(
      ['a1', 'b2', 'f6', 'c3'].map((text) => version(text).hash),
      10,
    );
    for (const text of ['a1', 'b2', 'f6']) expect(described.get(version(text).hash)?.head.toString()).toBe(text);
    expect(described.get(version('c3').hash)).toBeNull();
  });
});
