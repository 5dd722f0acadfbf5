import { gzipSync } from 'node:zlib';
import { Piscina } from 'piscina';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { oxenHash, type Limits } from '@sluice/core';
import { MemoryBlobStore } from '@sluice/storage';
import {
  connectRedis,
  ObjectStore,
  PackIndex,
  RedisKeys,
  RepoStore,
  StagingIndex,
  VersionIndex,
  VersionWriter,
  WorkspaceStore,
} from '@sluice/repository';
import type { IngestJobData, IngestProgress, SpooledPart } from '@sluice/queue';
import { DigestBoard } from '../digest/digest-board.js';
import { IngestRunner, type IngestAttempt } from './ingest-runner.js';
import type { InflateTask, InflateTaskResult } from './threads/inflate-task.js';

const limits: Limits = {
  maxParts: 1000,
  maxRequestBytes: 1 << 30,
  maxInflateBytes: 1 << 30,
  maxInflateRatio: 200,
  maxHeaderBytes: 65536,
};

/** An attempt as the queue hands it over; the queue itself is not what is under test here. */
function jobOf(id: string, data: IngestJobData, progress: IngestProgress[] = []): IngestAttempt {
  return { id, data, updateProgress: async (p) => void progress.push(p) };
}

/**
 * The ingest job on its own: a spool segment in an in-memory store, real worker threads and a
 * real Redis, no HTTP and no queue. What it must do: hash and type every part, write new content
 * once (small content into one pack), stage every file in one step with its status, fail bad
 * content alone, and give a retried job its first result without writing anything again.
 */
describe('IngestRunner', () => {
  const redis = connectRedis({ urls: inject('redisUrl').split(','), cluster: inject('redisCluster') });
  const keys = new RedisKeys(`ingest${Date.now().toString(36)}`);
  const store = new MemoryBlobStore();
  const objects = new ObjectStore(store);
  const versions = new VersionIndex(redis, keys);
  const packs = new PackIndex(redis, keys);
  const repos = new RepoStore(redis, keys, objects, store, versions);
  const workspaces = new WorkspaceStore(redis, keys, repos);
  const staging = new StagingIndex(redis, keys);
  const pool = new Piscina({
    filename: new URL('../../dist/job/threads/inflate-task.js', import.meta.url).href,
    minThreads: 1,
    maxThreads: 1,
  });
  const runner = new IngestRunner({
    store,
    objects,
    versions,
    versionWriter: new VersionWriter(store, packs, 4 * 1024 * 1024),
    staging,
    repos,
    workspaces,
    inflate: async (task: InflateTask) => (await pool.run(task, { transferList: [task.segment] })) as InflateTaskResult,
    digestBoard: new DigestBoard(redis, keys),
    limits,
    quota: { files: 0, bytes: 0 },
    retentionSeconds: 60,
  });
  let workspaceId = '';
  beforeAll(async () => {
    await repos.create('ox', 'unit');
    workspaceId = (await workspaces.getOrCreate('ox', 'unit', { workspaceId: 'w', branchName: 'main' })).workspace.id;
  });
  afterAll(async () => {
    await pool.destroy();
    redis.disconnect();
  });

  const keysUnder = async (prefix: string) => {
    const found: string[] = [];
    for await (const info of store.list(prefix)) found.push(info.key);
    return found;
  };

  /** One spool segment holding the parts' bytes as sent, and the job that names them. */
  async function spooled(
    segmentKey: string,
    files: Array<{ path: string; sent: Buffer; gzip: boolean }>,
  ): Promise<IngestJobData> {
    const parts: SpooledPart[] = [];
    let offset = 0;
    for (const file of files) {
      parts.push({ path: file.path, gzip: file.gzip, spool: segmentKey, offset, length: file.sent.length });
      offset += file.sent.length;
    }
    await store.put(
      segmentKey,
      files.map((f) => f.sent),
    );
    return { namespace: 'ox', repo: 'unit', workspaceId, spoolKeys: [segmentKey], parts, bytes: offset, stage: true };
  }

  it('hashes, stores once and stages every part in one step; bad content fails alone', async () => {
    const csv = Buffer.from('id,label\n1,cat\n2,dog\n');
    const data = await spooled('spool/req1/0', [
      { path: 'a/rows.csv', sent: gzipSync(csv), gzip: true },
      { path: 'a/copy.csv', sent: csv, gzip: false },
      { path: 'a/broken.bin', sent: Buffer.from('1f8b0800000000000003ffff', 'hex'), gzip: true },
      { path: 'a/empty.txt', sent: Buffer.alloc(0), gzip: false },
    ]);
    const progress: IngestProgress[] = [];
    const result = await runner.run(jobOf('job-1', data, progress));

    const hash = await oxenHash(csv);
    expect(result.paths).toEqual(['a/rows.csv', 'a/copy.csv', 'a/empty.txt']);
    expect(result.files[0]).toMatchObject({
      path: 'a/rows.csv',
      status: 'added',
      hash,
      size: csv.length,
      mime_type: expect.stringMatching(/^text\//),
    });
    expect(result.files[1]).toMatchObject({ path: 'a/copy.csv', hash });
    expect(result.files[2]).toMatchObject({ path: 'a/broken.bin', error: { code: 'corrupt_gzip' } });
    // the same content in one request is written once: the copy counts as deduplicated
    expect(result.deduplicated).toBe(1);
    expect(progress.at(-1)).toMatchObject({ files_done: 4, files_total: 4 });
    expect((await staging.get('ox', 'unit', workspaceId, 'a/rows.csv'))?.hash).toBe(hash);
    expect(await staging.get('ox', 'unit', workspaceId, 'a/broken.bin')).toBeNull();
    // the two contents (the CSV and the empty file) in one pack, located; the spool is gone
    expect(await keysUnder('packs/')).toHaveLength(1);
    expect((await packs.locate([hash])).get(hash)).toMatchObject({ length: csv.length });
    expect(await keysUnder('spool/')).toEqual([]);
  });

  it('answers a retried job with its first result, writing nothing again', async () => {
    const data = await spooled('spool/req2/0', [{ path: 'b/one.txt', sent: Buffer.from('one'), gzip: false }]);
    const first = await runner.run(jobOf('job-2', data));
    const before = await keysUnder('');
    // the retry finds the spool gone (the first attempt dropped it) and the result recorded
    const again = await runner.run(jobOf('job-2', data));
    expect(again).toEqual(first);
    expect(await keysUnder('')).toEqual(before);
  });

  it('fails every file with spool_missing when the spool is gone and no attempt recorded a result', async () => {
    const data: IngestJobData = {
      namespace: 'ox',
      repo: 'unit',
      workspaceId,
      spoolKeys: ['spool/gone/0'],
      bytes: 3,
      stage: true,
      parts: [{ path: 'c/x.txt', gzip: false, spool: 'spool/gone/0', offset: 0, length: 3 }],
    };
    const result = await runner.run(jobOf('job-3', data));
    expect(result.paths).toEqual([]);
    expect(result.files[0]).toMatchObject({ path: 'c/x.txt', error: { code: 'spool_missing' } });
  });
});
