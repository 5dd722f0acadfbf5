import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ContentFacts } from '@sluice/core';
import { MemoryBlobStore } from '@sluice/storage';
import { connectRedis, ObjectStore, RedisKeys, RepoStore, StagingIndex, VersionIndex } from '@sluice/repository';
import type { IngestJobData } from '@sluice/queue';
import { hashMismatch } from './file-outcome.js';
import type { IngestAttempt } from './ingest-attempt.js';
import { JobEnding } from './job-ending.js';

const content = (hash: string): ContentFacts => ({ hash, size: 3, mimeType: 'text/plain', dataType: 'text' });

/** The endings of a job against a real Redis: results recorded once, answered from Redis, spool dropped. */
describe('JobEnding', () => {
  const redis = connectRedis({ urls: inject('redisUrl').split(','), cluster: inject('redisCluster') });
  const keys = new RedisKeys(`ending${Date.now().toString(36)}`);
  const store = new MemoryBlobStore();
  const objects = new ObjectStore(store);
  const repos = new RepoStore(redis, keys, objects, store, new VersionIndex(redis, keys));
  const staging = new StagingIndex(redis, keys);
  const deps = { store, staging, retentionSeconds: 60 };
  beforeAll(() => repos.create('ox', 'end'));
  afterAll(() => redis.disconnect());

  /** An attempt of job `id` whose two parts sit in a spool segment that exists. */
  async function attempt(id: string): Promise<IngestAttempt> {
    const spool = `spool/${id}/0`;
    await store.put(spool, [Buffer.from('onetwo')]);
    const data: IngestJobData = {
      namespace: 'ox',
      repo: 'end',
      workspaceId: 'w',
      spoolKeys: [spool],
      bytes: 6,
      stage: true,
      parts: [
        { path: 'one.txt', gzip: false, spool, offset: 0, length: 3 },
        { path: 'two.txt', gzip: false, spool, offset: 3, length: 3 },
      ],
    };
    return { id, data, updateProgress: async () => {} };
  }
  const spoolOf = async (job: IngestAttempt) => (await store.stat(job.data.spoolKeys[0]!)) !== null;

  it('abandons a job: every file fails alike, the result is recorded and the spool dropped', async () => {
    const job = await attempt('abandon-1');
    const ending = new JobEnding(deps, job);
    expect(await ending.isRecorded()).toBe(false);
    const result = await ending.abandon('workspace_not_found', 'Workspace not found: w');
    const error = { code: 'workspace_not_found', message: 'Workspace not found: w' };
    expect(result).toEqual({
      paths: [],
      files: [
        { path: 'one.txt', error },
        { path: 'two.txt', error },
      ],
      deduplicated: 0,
    });
    expect(await ending.isRecorded()).toBe(true);
    expect(await spoolOf(job)).toBe(false);
  });

  it('keeps the first recorded result: a later attempt ending otherwise answers with it', async () => {
    const first = await new JobEnding(deps, await attempt('race-1')).abandon('repo_not_found', 'gone');
    const job = await attempt('race-1');
    const later = new JobEnding(deps, job);
    expect(await later.finishUnstaged([content('h1'), content('h2')], 0)).toEqual(first);
    expect(await later.recorded()).toEqual(first);
    // the later attempt's spool is dropped all the same
    expect(await spoolOf(job)).toBe(false);
  });

  it('finishes an unstaged job with its files added and their content referenced by the repository', async () => {
    const job = await attempt('unstaged-1');
    const result = await new JobEnding(deps, job).finishUnstaged([content('u1'), hashMismatch('u0', 'u9')], 1);
    expect(result.paths).toEqual(['one.txt']);
    expect(result.files[0]).toMatchObject({ path: 'one.txt', status: 'added', hash: 'u1' });
    expect(result.files[1]).toMatchObject({ path: 'two.txt', error: { code: 'hash_mismatch' } });
    expect(result.deduplicated).toBe(1);
    expect(await repos.referencedContent('ox', 'end', ['u1', 'u9'])).toEqual(new Set(['u1']));
    expect(await spoolOf(job)).toBe(false);
  });

  it('fails as internal when asked for a result no attempt recorded', async () => {
    const job = await attempt('none-1');
    await expect(new JobEnding(deps, job).recorded()).rejects.toMatchObject({ code: 'internal' });
    // nothing is dropped when there is no result to stand for the job
    expect(await spoolOf(job)).toBe(true);
  });
});
