import { afterAll, describe, expect, it } from 'vitest';
import type { StagedEntry } from '@sluice/core';
import { connectRedis, RedisKeys, StagingIndex } from '@sluice/index';
import { testRedisTarget } from './support/test-env.js';

const entry = (hash: string): StagedEntry => ({ status: 'added', hash, size: 1, mimeType: 'text/plain', dataType: 'text' });

describe('the staging index on Redis', () => {
  const redis = connectRedis(testRedisTarget());
  const keys = new RedisKeys(`stage${Date.now().toString(36)}`);
  const staging = new StagingIndex(redis, keys);
  afterAll(() => redis.disconnect());

  it('applies a job once: a second attempt of the same job changes nothing and its result does not replace the first', async () => {
    await redis.hset(keys.workspaces('ox', 'r'), 'w', '{}');
    const first = await staging.apply('ox', 'r', 'w', 'job-1', new Map([['a.txt', entry('aa')]]), [], '{"first":true}', 60);
    expect(first).toBe('applied');
    const second = await staging.apply('ox', 'r', 'w', 'job-1', new Map([['a.txt', entry('bb')], ['b.txt', entry('cc')]]), [], '{"second":true}', 60);
    expect(second).toBe('already_applied');
    expect(await staging.get('ox', 'r', 'w', 'a.txt')).toEqual(entry('aa'));
    expect(await staging.get('ox', 'r', 'w', 'b.txt')).toBeNull();
    expect(await staging.appliedResult('ox', 'r', 'job-1')).toBe('{"first":true}');
    await staging.recordResult('ox', 'r', 'job-1', '{"third":true}', 60);
    expect(await staging.appliedResult('ox', 'r', 'job-1')).toBe('{"first":true}');
  });

  it('stages nothing into a workspace deleted meanwhile', async () => {
    const outcome = await staging.apply('ox', 'r', 'gone', 'job-2', new Map([['a.txt', entry('aa')]]), [], '{}', 60);
    expect(outcome).toBe('workspace_gone');
    expect(await staging.count('ox', 'r', 'gone')).toBe(0);
  });

  it('removes unchanged paths and applies more entries than one Lua unpack holds', async () => {
    const many = new Map(Array.from({ length: 4500 }, (_, i) => [`f${i}`, entry(`h${i}`)] as const));
    expect(await staging.apply('ox', 'r', 'w', 'job-3', many, ['a.txt'], '{}', 60)).toBe('applied');
    expect(await staging.count('ox', 'r', 'w')).toBe(4500);
    expect(await staging.get('ox', 'r', 'w', 'a.txt')).toBeNull();
  });
});
