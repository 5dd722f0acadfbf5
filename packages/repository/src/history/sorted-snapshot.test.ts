import { afterAll, describe, expect, inject, it } from 'vitest';
import type { StagedEntry } from '@sluice/core';
import { connectRedis } from '../redis/redis-client.js';
import { SortedSnapshot } from './sorted-snapshot.js';
import { encodeStagedEntry } from '../workspaces/staged-entry-codec.js';

const entry = (hash: string, size: number, mimeType = 'text/plain'): StagedEntry => ({
  status: 'added',
  hash,
  size,
  mimeType,
  dataType: 'text',
});

describe('SortedSnapshot', () => {
  const redis = connectRedis({ urls: inject('redisUrl').split(','), cluster: inject('redisCluster') });
  afterAll(() => redis.disconnect());

  // encodeStagedEntry keeps an entry whose field holds a tab as JSON: the commit must read it as such
  it.each([{ runEntries: 100 }, { runEntries: 1 }])(
    'reads an entry kept as JSON (a field with a tab) as the entry it is (%o)',
    async (options) => {
      const key = `{snapshot-test}:${Date.now().toString(36)}:${options.runEntries}`;
      const odd = entry('bb', 20, 'text/x\tweird');
      expect(encodeStagedEntry(odd).startsWith('{')).toBe(true);
      await redis.hset(key, {
        'a.txt': encodeStagedEntry(entry('aa', 10)),
        'b.txt': encodeStagedEntry(odd),
        'c.txt': JSON.stringify({ ...entry('cc', 30), status: 'removed' }),
      });
      const sorted = await SortedSnapshot.read(redis, key, options);
      try {
        const changes = [];
        for await (const change of sorted.changes()) changes.push(change);
        expect(changes).toEqual([
          ['a.txt', { hash: 'aa', size: 10, mimeType: 'text/plain', dataType: 'text' }],
          ['b.txt', { hash: 'bb', size: 20, mimeType: 'text/x\tweird', dataType: 'text' }],
          ['c.txt', null],
        ]);
        expect([sorted.files, sorted.bytes]).toEqual([3, 30]);
      } finally {
        await sorted.close();
        await redis.del(key);
      }
    },
  );
});
