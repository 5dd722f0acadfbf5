import { Cluster, type Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { stagedEntry as entry, stagingStep } from './support/staging-step.js';
import { connectRedis, RedisKeys, StagingIndex } from '@sluice/repository';
import { testRedisTarget } from './support/test-env.js';

const repoUuid = 'a1b2c3d4-0000-4000-8000-000000000001';
const step = stagingStep(repoUuid);

describe('the staging index on Redis', () => {
  const redis = connectRedis(testRedisTarget());
  const keys = new RedisKeys(`stage${Date.now().toString(36)}`);
  const staging = new StagingIndex(redis, keys);
  afterAll(() => redis.disconnect());

  it(
    'applies a job once: ' +
      'a second attempt of the same job changes nothing and its result does not replace the first',
    async () => {
      await redis.hset(keys.repo('ox', 'r'), 'json', JSON.stringify({ namespace: 'ox', name: 'r', uuid: repoUuid }));
      await redis.hset(keys.workspaces('ox', 'r'), 'w', '{}');
      const first = await staging.apply(step('job-1', new Map([['a.txt', entry('aa')]]), [], '{"first":true}'));
      expect(first).toBe('applied');
      const second = await staging.apply(
        step(
          'job-1',
          new Map([
            ['a.txt', entry('bb')],
            ['b.txt', entry('cc')],
          ]),
          [],
          '{"second":true}',
        ),
      );
      expect(second).toBe('already_applied');
      expect(await staging.get('ox', 'r', 'w', 'a.txt')).toEqual(entry('aa'));
      expect(await staging.get('ox', 'r', 'w', 'b.txt')).toBeNull();
      expect(await staging.appliedResult('ox', 'r', 'job-1')).toBe('{"first":true}');
      await staging.recordResult('ox', 'r', 'job-1', '{"third":true}', 60);
      expect(await staging.appliedResult('ox', 'r', 'job-1')).toBe('{"first":true}');
    },
  );

  it('stages nothing into a workspace deleted meanwhile', async () => {
    const outcome = await staging.apply(step('job-2', new Map([['a.txt', entry('aa')]]), [], '{}', 'gone'));
    expect(outcome).toBe('workspace_gone');
    expect(await staging.count('ox', 'r', 'gone')).toBe(0);
  });

  it('stages nothing for a repository deleted and created again under its name', async () => {
    const late = {
      ...step('job-old', new Map([['late.txt', entry('dd')]])),
      repoUuid: 'a1b2c3d4-0000-4000-8000-00000000000f',
    };
    expect(await staging.apply(late)).toBe('workspace_gone');
    expect(await staging.get('ox', 'r', 'w', 'late.txt')).toBeNull();
    expect(await staging.appliedResult('ox', 'r', 'job-old')).toBeNull();
  });

  it('records nothing for a step that is no job (stage-by-hash): applied again, it stages again', async () => {
    await redis.hset(keys.workspaces('ox', 'r'), 'h', '{}');
    // every job key of the repository, over every master of a cluster
    const nodes: Redis[] = redis instanceof Cluster ? redis.nodes('master') : [redis];
    const jobKeys = async () =>
      (await Promise.all(nodes.map((node) => node.keys(`${keys.jobResult('ox', 'r', '')}*`)))).flat();
    const before = await jobKeys();
    const { job: _job, ...byHash } = step('unused', new Map([['by-hash.txt', entry('b1')]]), [], '{}', 'h');
    expect(await staging.apply(byHash)).toBe('applied');
    expect(await staging.apply({ ...byHash, entries: new Map([['by-hash.txt', entry('b2')]]) })).toBe('applied');
    expect((await staging.get('ox', 'r', 'h', 'by-hash.txt'))?.hash).toBe('b2');
    expect((await jobKeys()).sort()).toEqual(before.sort());
  });

  it('removes unchanged paths and applies more entries than one Lua unpack holds', async () => {
    const many = new Map(Array.from({ length: 4500 }, (_, i) => [`f${i}`, entry(`h${i}`)] as const));
    expect(await staging.apply(step('job-3', many, ['a.txt']))).toBe('applied');
    expect(await staging.count('ox', 'r', 'w')).toBe(4500);
    expect(await staging.get('ox', 'r', 'w', 'a.txt')).toBeNull();
  });

  it('finds, before any content is stored, a file that would collide with a staged one (either side)', async () => {
    await staging.apply(step('job-c', new Map([['c/file.txt', entry('ee')]])));
    await staging.apply(step('job-d', new Map([['d.txt', entry('ff')]])));
    expect(await staging.collisionOf('ox', 'r', 'w', ['other.txt'])).toBeNull();
    // a file where files are staged under it, and a file under a staged file
    expect(await staging.collisionOf('ox', 'r', 'w', ['ok.txt', 'c'])).toEqual({ path: 'c', staged: 'c' });
    expect(await staging.collisionOf('ox', 'r', 'w', ['d.txt/x'])).toEqual({ path: 'd.txt/x', staged: 'd.txt' });
  });

  it('unstages paths named more often than one call can spread (a 2 MiB body of one path), once each', async () => {
    await staging.apply(
      step(
        'job-u',
        new Map([
          ['u1', entry('u1')],
          ['u2', entry('u2')],
        ]),
      ),
    );
    const named = [...Array.from({ length: 400_000 }, () => 'u1'), 'u2', 'never-staged'];
    expect((await staging.unstage('ox', 'r', 'w', named)).sort()).toEqual(['u1', 'u2']);
    expect([await staging.get('ox', 'r', 'w', 'u1'), await staging.get('ox', 'r', 'w', 'u2')]).toEqual([null, null]);
  });

  it('puts and removes 100,000 paths in one edit: more arguments than a JavaScript call can spread', async () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => i);
    const staged = new Map(ids.map((i) => [`big/${i}`, entry(`b${i}`)] as const));
    expect(await staging.put('ox', 'r', 'w', staged)).toBe('applied');
    // a move of every file plus one more: 300,001 arguments, one file over a quota of what is staged now
    const moved = new Map([...ids.map((i) => [`moved/${i}`, entry(`b${i}`)] as const), ['extra', entry('x')] as const]);
    const removed = ids.map((i) => `big/${i}`);
    const { files } = await staging.usage('ox', 'r', 'w');
    expect(await staging.put('ox', 'r', 'w', moved, { files, bytes: 0 }, removed)).toBe('over_quota');
    expect(await staging.get('ox', 'r', 'w', 'big/99999')).toEqual(entry('b99999'));
    expect(await staging.get('ox', 'r', 'w', 'moved/0')).toBeNull();
    expect(await staging.put('ox', 'r', 'w', moved, { files: files + 1, bytes: 0 }, removed)).toBe('applied');
    expect((await staging.usage('ox', 'r', 'w')).files).toBe(files + 1);
    expect([await staging.get('ox', 'r', 'w', 'big/0'), await staging.get('ox', 'r', 'w', 'moved/0')]).toEqual([
      null,
      entry('b0'),
    ]);
  });
});
