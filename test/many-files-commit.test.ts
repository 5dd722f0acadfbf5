import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { StagedEntry } from '@sluice/core';
import { MemoryBlobStore } from '@sluice/storage';
import {
  connectRedis,
  ObjectStore,
  RedisKeys,
  RepoStore,
  SortedSnapshot,
  StagingIndex,
  VersionIndex,
  WorkspaceCommitter,
  WorkspaceStore,
  type TreeChange,
} from '@sluice/repository';
import { testRedisTarget } from './support/test-env.js';
import { tempDir } from './support/temp-dirs.js';

const added = (hash: string, size: number): StagedEntry => ({
  status: 'added',
  hash,
  size,
  mimeType: 'text/csv',
  dataType: 'tabular',
});
const pathOf = (i: number) => `d${i % 37}/s${Math.floor(i / 37) % 11}/f${i}.csv`;
const message = { message: 'many', author: 'a', email: 'a@example.com' };
const removed: StagedEntry = { status: 'removed', hash: '', size: 0, mimeType: '', dataType: 'binary' };

/** Paths a sort must keep in order whatever their characters: separators, escapes, non-ASCII. */
const oddPaths = [
  'tab\there.csv',
  'new\nline/x.csv',
  'back\\slash/y.csv',
  'ünï/cödé.csv',
  'a b/c',
  'a-b/c',
  'a.b/c',
  'a/b',
  'emoji/😀.txt',
  'zz/\\t',
];

describe('a commit of many staged files, sorted in runs on disk', () => {
  const redis = connectRedis(testRedisTarget());
  const prefix = `many${Date.now().toString(36)}`;
  const keys = new RedisKeys(prefix);
  afterAll(() => redis.disconnect());

  /** A repository whose first commit holds base/ files; its workspace stages `count` files, removes some base ones. */
  async function stagedRepo(name: string, count: number) {
    const blobs = new MemoryBlobStore();
    const objects = new ObjectStore(blobs);
    const repos = new RepoStore(redis, keys, objects, blobs, new VersionIndex(redis, keys));
    const base = Array.from({ length: 30 }, (_, i) => ({ path: `base/b${i}.txt`, contents: `base ${i}` }));
    await repos.create('ns', name, base);
    const workspaces = new WorkspaceStore(redis, keys, repos);
    const { workspace } = await workspaces.getOrCreate('ns', name, { workspaceId: 'w', branchName: 'main' });
    const entries = new Map<string, StagedEntry>();
    for (let i = 0; i < count; i++) entries.set(pathOf(i), added(`h${i % 97}`, i));
    for (const [i, path] of oddPaths.entries()) entries.set(path, added(`odd${i}`, 1000 + i));
    for (let i = 0; i < 30; i += 3) entries.set(`base/b${i}.txt`, removed);
    await new StagingIndex(redis, keys).put('ns', name, 'w', entries);
    return { objects, repos, workspaces, workspace, entries };
  }

  it('builds the same tree in runs on disk as in memory, removes its runs, and counts the same usage', async () => {
    const count = 12_000;
    const runsDir = tempDir('sluice-runs-');
    const onDisk = await stagedRepo('disk', count);
    const inMemory = await stagedRepo('memory', count);

    // the same snapshot, sorted in 1,000-entry runs: every entry once, in path order, usage summed
    const snapshot = keys.staged('ns', 'disk', 'w');
    const sorted = await SortedSnapshot.read(redis, snapshot, { runEntries: 1000, tmpDir: runsDir });
    expect(readdirSync(runsDir)).toHaveLength(1);
    const seen: Array<readonly [string, TreeChange]> = [];
    for await (const change of sorted.changes()) seen.push(change);
    const expected = [...onDisk.entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(seen.map(([path]) => path)).toEqual(expected);
    const tab = seen.find(([path]) => path === 'tab\there.csv')?.[1];
    expect(tab).toEqual({ hash: 'odd0', size: 1000, mimeType: 'text/csv', dataType: 'tabular' });
    expect(seen.find(([path]) => path === 'base/b0.txt')?.[1]).toBeNull();
    expect(sorted.files).toBe(onDisk.entries.size);
    expect(sorted.bytes).toBe([...onDisk.entries.values()].reduce((sum, e) => sum + e.size, 0));
    await sorted.close();
    expect(readdirSync(runsDir)).toEqual([]);

    const sortOptions = { runEntries: 1000, tmpDir: runsDir };
    const diskCommit = await new WorkspaceCommitter(redis, keys, onDisk.repos, onDisk.objects, sortOptions).commit(
      'ns',
      'disk',
      onDisk.workspace,
      'main',
      message,
    );
    const memoryCommit = await new WorkspaceCommitter(redis, keys, inMemory.repos, inMemory.objects).commit(
      'ns',
      'memory',
      inMemory.workspace,
      'main',
      message,
    );
    expect(diskCommit.root).toBe(memoryCommit.root);
    expect(readdirSync(runsDir)).toEqual([]);

    // and it is the tree of the staged changes applied to the base
    const parent = await onDisk.objects.getCommit(diskCommit.parent_ids[0]!);
    const direct = await onDisk.objects.buildTree(
      parent.root,
      (async function* () {
        for (const path of expected) {
          const entry = onDisk.entries.get(path)!;
          const { hash, size, mimeType, dataType } = entry;
          yield [path, entry.status === 'removed' ? null : { hash, size, mimeType, dataType }] as const;
        }
      })(),
    );
    expect(diskCommit.root).toBe(direct);
    expect(await onDisk.objects.lookup(diskCommit.root, 'd5/s3/f116.csv')).toMatchObject({ hash: 'h19', size: 116 });
    expect(await onDisk.objects.lookup(diskCommit.root, 'new\nline/x.csv')).toMatchObject({ hash: 'odd1' });
    expect(await onDisk.objects.lookup(diskCommit.root, 'base/b0.txt')).toBeNull();
    expect(await onDisk.objects.lookup(diskCommit.root, 'base/b1.txt')).toMatchObject({ kind: 'file' });
    // the stage and its snapshot are gone, and the commit left no other key behind for the workspace
    const left = await redis.keys(`{${prefix}:r:ns/disk}:*`);
    expect(left.filter((key) => /staged|committing/.test(key))).toEqual([]);
  });

  it('gives a snapshot larger than a move batch back to the stage when the commit fails, usage unchanged', async () => {
    const { objects, repos, workspaces, workspace } = await stagedRepo('conflict', 4500);
    const staging = new StagingIndex(redis, keys);
    // the branch changes base/b1.txt after the workspace's base; the workspace changes it too
    const other = (await workspaces.getOrCreate('ns', 'conflict', { workspaceId: 'o', branchName: 'main' })).workspace;
    await staging.put('ns', 'conflict', 'o', new Map([['base/b1.txt', added('theirs', 5)]]));
    const committer = new WorkspaceCommitter(redis, keys, repos, objects);
    await committer.commit('ns', 'conflict', other, 'main', message);
    await staging.put('ns', 'conflict', 'w', new Map([['base/b1.txt', added('mine', 6)]]));
    const count = () => staging.count('ns', 'conflict', 'w');
    const usage = () => staging.usage('ns', 'conflict', 'w');
    const before = { count: await count(), usage: await usage() };

    await expect(committer.commit('ns', 'conflict', workspace, 'main', message)).rejects.toMatchObject({
      code: 'workspace_behind',
    });
    expect(await count()).toBe(before.count);
    expect(await usage()).toEqual(before.usage);
    expect(await staging.get('ns', 'conflict', 'w', 'd1/s0/f1.csv')).toEqual(added('h1', 1));
    expect(await redis.exists(keys.stagedSnapshot('ns', 'conflict', 'w'))).toBe(0);
  });

  it("merges the stage into an earlier attempt's snapshot in batches, the stage's entries winning", async () => {
    const { objects, repos, workspace } = await stagedRepo('leftover', 4500);
    const staging = new StagingIndex(redis, keys);
    // an attempt that died after taking its snapshot and before giving it back
    await redis.rename(keys.staged('ns', 'leftover', 'w'), keys.stagedSnapshot('ns', 'leftover', 'w'));
    const newer = new Map(Array.from({ length: 3000 }, (_, i) => [pathOf(i), added('newer', 7)] as const));
    newer.set('late/l.csv', added('late', 8));
    await staging.put('ns', 'leftover', 'w', newer);

    const committer = new WorkspaceCommitter(redis, keys, repos, objects);
    const commit = await committer.commit('ns', 'leftover', workspace, 'main', message);
    expect(await objects.lookup(commit.root, 'd5/s3/f116.csv')).toMatchObject({ hash: 'newer', size: 7 });
    expect(await objects.lookup(commit.root, 'd3/s9/f3999.csv')).toMatchObject({ hash: 'h22', size: 3999 });
    expect(await objects.lookup(commit.root, 'late/l.csv')).toMatchObject({ hash: 'late' });
    expect(await objects.lookup(commit.root, 'tab\there.csv')).toMatchObject({ hash: 'odd0' });
    expect(await redis.exists(keys.staged('ns', 'leftover', 'w'), keys.stagedSnapshot('ns', 'leftover', 'w'))).toBe(0);
  });

  it('commits entries an earlier version staged as JSON beside new ones, counting their usage alike', async () => {
    const { objects, repos, workspace } = await stagedRepo('legacy', 200);
    const staging = new StagingIndex(redis, keys);
    const key = keys.staged('ns', 'legacy', 'w');
    // the same entries, as an earlier version wrote them
    const old = new Map([
      ['d1/s0/f1.csv', added('h1', 1)],
      ['base/b3.txt', removed],
      ['old/j.csv', added('json', 40)],
    ]);
    const before = await staging.usage('ns', 'legacy', 'w');
    // (the first two replace their new form, which the usage counts already)
    for (const [path, entry] of old) await redis.hset(key, path, JSON.stringify(entry));
    await redis.hincrby(keys.usage('ns', 'legacy', 'w'), 'files', 1);
    await redis.hincrby(keys.usage('ns', 'legacy', 'w'), 'bytes', 40);
    expect(await staging.get('ns', 'legacy', 'w', 'old/j.csv')).toEqual(added('json', 40));
    // unstaging a JSON entry takes its size off the usage, as for a new one
    await staging.put('ns', 'legacy', 'w', new Map(), { files: 0, bytes: 0 }, ['old/j.csv']);
    expect(await staging.usage('ns', 'legacy', 'w')).toEqual(before);
    await redis.hset(key, 'old/j.csv', JSON.stringify(added('json', 40)));

    const commit = await new WorkspaceCommitter(redis, keys, repos, objects, { runEntries: 50 }).commit(
      'ns',
      'legacy',
      workspace,
      'main',
      message,
    );
    expect(await objects.lookup(commit.root, 'old/j.csv')).toMatchObject({
      hash: 'json',
      size: 40,
      mimeType: 'text/csv',
    });
    expect(await objects.lookup(commit.root, 'd1/s0/f1.csv')).toMatchObject({ hash: 'h1', size: 1 });
    expect(await objects.lookup(commit.root, 'base/b3.txt')).toBeNull();
    expect(await objects.lookup(commit.root, 'base/b4.txt')).not.toBeNull();
    expect(await staging.usage('ns', 'legacy', 'w')).toEqual({ files: 0, bytes: 0 });
  });
});
