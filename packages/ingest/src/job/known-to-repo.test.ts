import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ContentFacts } from '@sluice/core';
import { MemoryBlobStore } from '@sluice/storage';
import { connectRedis, ObjectStore, RedisKeys, RepoStore, VersionIndex } from '@sluice/repository';
import { spoolMissing, type FileOutcome } from './file-outcome.js';
import { knownToRepo } from './known-to-repo.js';

const content = (hash: string): ContentFacts => ({ hash, size: 1, mimeType: 'text/plain', dataType: 'text' });

/** Against a real Redis: the repository's content set is what it asks. */
describe('knownToRepo', () => {
  const redis = connectRedis({ urls: inject('redisUrl').split(','), cluster: inject('redisCluster') });
  const keys = new RedisKeys(`known${Date.now().toString(36)}`);
  const store = new MemoryBlobStore();
  const objects = new ObjectStore(store);
  const repos = new RepoStore(redis, keys, objects, store, new VersionIndex(redis, keys));
  beforeAll(async () => {
    await repos.create('ox', 'known');
    await repos.create('ox', 'other');
  });
  afterAll(() => redis.disconnect());

  it("counts what the repository referenced and the job's repeats, not failures nor others' content", async () => {
    await repos.referenceContent('ox', 'known', ['old']);
    await repos.referenceContent('ox', 'other', ['theirs']);
    const outcomes: FileOutcome[] = [
      content('old'), // referenced before: known
      content('new'), // first of its content: not known
      content('new'), // a repeat of an earlier file: known
      content('theirs'), // another repository's: not known here
      spoolMissing('spool/x/0'), // failed: not counted at all
      content('old'),
    ];
    expect(await knownToRepo(repos, 'ox', 'known', outcomes)).toBe(3);
    expect(await knownToRepo(repos, 'ox', 'known', [])).toBe(0);
  });

  it('asks about more distinct hashes than one batch holds', async () => {
    const hashes = Array.from({ length: 2500 }, (_, i) => `h${i}`);
    await repos.referenceContent(
      'ox',
      'known',
      hashes.filter((_, i) => i % 2 === 0),
    );
    expect(await knownToRepo(repos, 'ox', 'known', hashes.map(content))).toBe(1250);
  });
});
