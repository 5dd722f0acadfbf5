import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { StagedEntry, Workspace } from '@sluice/core';
import { FsBlobStore } from '@sluice/storage';
import { ObjectStore } from './object-store.js';
import { connectRedis } from '../redis/redis-client.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { RepoStore } from './repo-store.js';
import { StagingIndex } from '../workspaces/staging-index.js';
import { VersionIndex } from '../versions/version-index.js';
import { WorkspaceCommitter, type CommitProgress } from './workspace-committer.js';
import { WorkspaceStore } from '../workspaces/workspace-store.js';
import { tempDir } from '../../../../test/support/temp-dirs.js';

const added = (hash: string, size = hash.length): StagedEntry => ({
  status: 'added',
  hash,
  size,
  mimeType: 'text/plain',
  dataType: 'text',
});
const message = { message: 'm', author: 'a', email: 'a@example.com' };

/**
 * WorkspaceCommitter against a real Redis and a filesystem store: each test has a repository of
 * its own whose first commit holds `base.txt`, `keep.txt` and `dir/in.txt`, and a named
 * workspace `w` on it (a named workspace survives its commit, so what a commit leaves in its
 * stage can be read afterwards).
 */
describe('WorkspaceCommitter', () => {
  const redis = connectRedis({ urls: inject('redisUrl').split(','), cluster: inject('redisCluster') });
  const keys = new RedisKeys(`committer${Date.now().toString(36)}`);
  afterAll(() => redis.disconnect());
  let repoCount = 0;

  async function setUp(sortOptions = {}) {
    const name = `r${repoCount++}`;
    const store = new FsBlobStore({ root: tempDir('sluice-committer-'), fsync: false });
    const objects = new ObjectStore(store);
    const repos = new RepoStore(redis, keys, objects, store, new VersionIndex(redis, keys));
    const created = await repos.create('ns', name, [
      { path: 'base.txt', contents: 'base' },
      { path: 'keep.txt', contents: 'keep' },
      { path: 'dir/in.txt', contents: 'in' },
    ]);
    const workspaces = new WorkspaceStore(redis, keys, repos);
    const staging = new StagingIndex(redis, keys);
    const committer = new WorkspaceCommitter(redis, keys, repos, objects, sortOptions);
    const open = async (id: string, wsName: string | null = id) =>
      (await workspaces.getOrCreate('ns', name, { workspaceId: id, branchName: 'main', name: wsName })).workspace;
    const stage = async (id: string, entries: Record<string, StagedEntry>) =>
      expect(await staging.put('ns', name, id, new Map(Object.entries(entries)))).toBe('applied');
    /** Another workspace's commit of `entries` onto main: the branch moves on. */
    const moveBranch = async (id: string, entries: Record<string, StagedEntry>) => {
      const other = await open(id);
      await stage(id, entries);
      return committer.commit('ns', name, other, 'main', message);
    };
    const stagedOf = async (id: string) => {
      const out: Record<string, string> = {};
      for await (const [path, entry] of staging.entries('ns', name, id)) out[path] = entry.hash;
      return out;
    };
    const fileAt = async (root: string, path: string) => (await objects.lookup(root, path))?.hash ?? null;
    const head = async () => (await repos.branchHead('ns', name, 'main'))!;
    return {
      name,
      objects,
      repos,
      workspaces,
      staging,
      committer,
      open,
      stage,
      moveBranch,
      stagedOf,
      fileAt,
      head,
      baseId: created.latestCommit!.id,
      usage: (ws = 'w') => staging.usage('ns', name, ws),
      snapshotExists: async () => (await redis.exists(keys.stagedSnapshot('ns', name, 'w'))) === 1,
      lockHolder: () => redis.get(keys.commitLock('ns', name, 'w')),
      commit: (workspace: Workspace, options = {}) => committer.commit('ns', name, workspace, 'main', message, options),
    };
  }

  describe('the snapshot', () => {
    it('moves the stage aside: files staged while the commit runs stay staged for the next commit', async () => {
      const t = await setUp();
      const w = await t.open('w');
      await t.stage('w', { 'a.txt': added('a1'), 'base.txt': added('b2') });
      const seen: string[] = [];
      const commit = await t.commit(w, {
        onProgress: async ({ phase }: CommitProgress) => {
          if (phase !== 'checking' || seen.includes('late')) return;
          seen.push('late');
          // the stage was renamed to the snapshot: a fresh stage takes what arrives now
          expect(await t.snapshotExists()).toBe(true);
          expect(await t.stagedOf('w')).toEqual({});
          await t.stage('w', { 'late.txt': added('late1', 5), 'a.txt': added('a2', 7) });
        },
      });
      expect(seen).toEqual(['late']);
      expect(await t.fileAt(commit.root, 'a.txt')).toBe('a1');
      expect(await t.fileAt(commit.root, 'base.txt')).toBe('b2');
      expect(await t.fileAt(commit.root, 'late.txt')).toBeNull();
      expect(await t.stagedOf('w')).toEqual({ 'late.txt': 'late1', 'a.txt': 'a2' });
      expect(await t.usage()).toEqual({ files: 2, bytes: 12 });
      expect(await t.snapshotExists()).toBe(false);

      const moved = await t.workspaces.require('ns', t.name, 'w');
      expect(moved.commitId).toBe(commit.id);
      const next = await t.commit(moved);
      expect(next.parent_ids).toEqual([commit.id]);
      expect(await t.fileAt(next.root, 'late.txt')).toBe('late1');
      expect(await t.fileAt(next.root, 'a.txt')).toBe('a2');
      expect(await t.stagedOf('w')).toEqual({});
      expect(await t.usage()).toEqual({ files: 0, bytes: 0 });
    });

    it("merges the stage into a crashed attempt's leftover snapshot, the newer entries winning", async () => {
      const t = await setUp();
      const w = await t.open('w');
      await t.stage('w', { 'a.txt': added('old-a', 3), 'b.txt': added('old-b', 4) });
      // an attempt that took its snapshot (stage and directory counts) and died before giving it back
      await redis.rename(keys.staged('ns', t.name, 'w'), keys.stagedSnapshot('ns', t.name, 'w'));
      await t.stage('w', { 'a.txt': added('new-a', 5), 'c/c.txt': added('new-c', 6) });

      const commit = await t.commit(w);
      expect(await t.fileAt(commit.root, 'a.txt')).toBe('new-a');
      expect(await t.fileAt(commit.root, 'b.txt')).toBe('old-b');
      expect(await t.fileAt(commit.root, 'c/c.txt')).toBe('new-c');
      expect(await t.fileAt(commit.root, 'keep.txt')).not.toBeNull();
      expect(await t.snapshotExists()).toBe(false);
      expect(await t.stagedOf('w')).toEqual({});
      // the replaced old a.txt left the usage when it was dropped, the rest with the commit
      expect(await t.usage()).toEqual({ files: 0, bytes: 0 });
    });

    // Known defect: the commit script deletes an unnamed workspace's record and usage, not its
    // stage, so a file staged while that commit ran stays under the id, uncounted, and a workspace
    // made again with the id starts with it. Remove `.fails` once the commit drops the stage too.
    it('deletes an unnamed workspace it committed, unless files were staged in it meanwhile: those stay', async () => {
      const t = await setUp();
      const w = await t.open('u', null);
      await t.stage('u', { 'a.txt': added('a1', 1) });
      let staged = false;
      const commit = await t.commit(w, {
        onProgress: async ({ phase }: CommitProgress) => {
          if (phase !== 'checking' || staged) return;
          staged = true;
          await t.stage('u', { 'late.txt': added('late1', 5) });
        },
      });
      // the late file was acknowledged: the workspace stays, at the new commit, holding it alone
      expect(await t.workspaces.find('ns', t.name, 'u')).toMatchObject({ commitId: commit.id });
      expect(await t.stagedOf('u')).toEqual({ 'late.txt': 'late1' });
      expect(await t.usage('u')).toEqual({ files: 1, bytes: 5 });
      const next = await t.commit((await t.workspaces.find('ns', t.name, 'u'))!);
      expect(await t.fileAt(next.root, 'late.txt')).toBe('late1');
      expect(await t.fileAt(next.root, 'a.txt')).toBe('a1');
      // nothing staged during that one: the workspace is gone, with no stage left under its id
      expect(await t.workspaces.find('ns', t.name, 'u')).toBeNull();
      await t.open('u', null);
      expect(await t.stagedOf('u')).toEqual({});
      expect(await t.usage('u')).toEqual({ files: 0, bytes: 0 });
    });

    it('commits nothing when nothing is staged: unprocessable NoChanges, and the lock is free again', async () => {
      const t = await setUp();
      const w = await t.open('w');
      await expect(t.commit(w)).rejects.toMatchObject({ code: 'unprocessable', statusMessage: 'NoChanges' });
      expect(await t.head()).toBe(t.baseId);
      expect(await t.lockHolder()).toBeNull();
      await t.stage('w', { 'a.txt': added('a1') });
      expect((await t.commit(w)).parent_ids).toEqual([t.baseId]);
    });

    it('puts the snapshot back when a commit fails: nothing staged is lost, what was staged since wins', async () => {
      const t = await setUp();
      const w = await t.open('w');
      await t.stage('w', { 'a.txt': added('a1', 1), 'b/b.txt': added('b1', 2) });
      const failure = new Error('progress could not be reported');
      const attempt = t.commit(w, {
        onProgress: async ({ phase }: CommitProgress) => {
          if (phase !== 'writing') return;
          await t.stage('w', { 'a.txt': added('a2', 10), 'c.txt': added('c1', 20) });
          throw failure;
        },
      });
      await expect(attempt).rejects.toBe(failure);
      expect(await t.head()).toBe(t.baseId);
      expect(await t.snapshotExists()).toBe(false);
      expect(await t.stagedOf('w')).toEqual({ 'a.txt': 'a2', 'b/b.txt': 'b1', 'c.txt': 'c1' });
      expect(await t.usage()).toEqual({ files: 3, bytes: 32 });
      expect(await t.lockHolder()).toBeNull();
      // the directory counts came back with the entries: a file at b, where b/b.txt is staged, is refused
      expect(await t.staging.put('ns', t.name, 'w', new Map([['b', added('x')]]))).toEqual({ path: 'b', staged: 'b' });

      const commit = await t.commit(w);
      expect(await t.fileAt(commit.root, 'a.txt')).toBe('a2');
      expect(await t.fileAt(commit.root, 'b/b.txt')).toBe('b1');
      expect(await t.fileAt(commit.root, 'c.txt')).toBe('c1');
    });
  });

  describe('conflicts', () => {
    it('refuses a file changed on the branch and in the workspace since its base, naming the paths', async () => {
      const t = await setUp();
      const w = await t.open('w');
      const theirs = await t.moveBranch('o', { 'base.txt': added('theirs'), 'dir/in.txt': added('theirs-in') });
      await t.stage('w', { 'dir/in.txt': added('mine-in'), 'base.txt': added('mine'), 'new.txt': added('n') });
      const failed = await t.commit(w).catch((error: unknown) => error);
      expect(failed).toMatchObject({
        code: 'workspace_behind',
        fields: { conflicts: [{ path: 'base.txt' }, { path: 'dir/in.txt' }] },
      });
      expect(await t.head()).toBe(theirs.id);
      expect(await t.stagedOf('w')).toEqual({ 'dir/in.txt': 'mine-in', 'base.txt': 'mine', 'new.txt': 'n' });
      expect(await t.snapshotExists()).toBe(false);
      const mergeability = await t.committer.mergeability('ns', t.name, w, 'main');
      expect(mergeability).toMatchObject({ isMergeable: false, conflicts: ['base.txt', 'dir/in.txt'] });
      expect(mergeability.commits.map((c) => c.id)).toEqual([theirs.id, t.baseId]);
    });

    it('refuses a staged file where the branch now has a directory, or under a file the branch added', async () => {
      const t = await setUp();
      const w = await t.open('w');
      await t.moveBranch('o', { 'd/x.txt': added('x'), e: added('e') });
      await t.stage('w', { d: added('mine-d'), 'e/y.txt': added('mine-y'), 'ok.txt': added('ok') });
      await expect(t.commit(w)).rejects.toMatchObject({
        code: 'workspace_behind',
        fields: { conflicts: [{ path: 'd' }, { path: 'e/y.txt' }] },
      });
      expect(await t.stagedOf('w')).toEqual({ d: 'mine-d', 'e/y.txt': 'mine-y', 'ok.txt': 'ok' });
    });

    it('commits on the new head when the branch moved on other paths, with both sides in the tree', async () => {
      const t = await setUp();
      const w = await t.open('w');
      const theirs = await t.moveBranch('o', { 'base.txt': added('theirs'), 'dir/theirs.txt': added('t') });
      await t.stage('w', { 'keep.txt': added('mine'), 'dir/mine.txt': added('m') });
      expect((await t.committer.mergeability('ns', t.name, w, 'main')).isMergeable).toBe(true);
      const commit = await t.commit(w);
      expect(commit.parent_ids).toEqual([theirs.id]);
      expect(await t.head()).toBe(commit.id);
      const sides = { 'base.txt': 'theirs', 'dir/theirs.txt': 't', 'keep.txt': 'mine', 'dir/mine.txt': 'm' };
      for (const [path, hash] of Object.entries(sides)) expect(await t.fileAt(commit.root, path)).toBe(hash);
      expect(await t.fileAt(commit.root, 'dir/in.txt')).not.toBeNull();
    });
  });

  describe('landing', () => {
    it('rebuilds the commit on the new head when the branch moves between the tree build and the landing', async () => {
      const t = await setUp();
      const w = await t.open('w');
      await t.stage('w', { 'mine.txt': added('m'), 'base.txt': added('mine-base') });
      const phases: string[] = [];
      let theirs: string | null = null;
      const commit = await t.commit(w, {
        onProgress: async ({ phase }: CommitProgress) => {
          phases.push(phase);
          if (phase !== 'landing' || theirs !== null) return;
          theirs = (await t.moveBranch('o', { 'theirs.txt': added('t') })).id;
        },
      });
      expect(phases).toEqual(['checking', 'writing', 'landing', 'checking', 'writing', 'landing']);
      expect(commit.parent_ids).toEqual([theirs]);
      expect(await t.head()).toBe(commit.id);
      expect(await t.fileAt(commit.root, 'theirs.txt')).toBe('t');
      expect(await t.fileAt(commit.root, 'mine.txt')).toBe('m');
      expect(await t.fileAt(commit.root, 'base.txt')).toBe('mine-base');
      expect(await redis.smembers(keys.commits('ns', t.name))).toHaveLength(3);
      expect((await t.workspaces.require('ns', t.name, 'w')).commitId).toBe(commit.id);
    });

    it('checks the new head for conflicts again when the branch moved before the landing', async () => {
      const t = await setUp();
      const w = await t.open('w');
      await t.stage('w', { 'base.txt': added('mine') });
      let moved = false;
      const attempt = t.commit(w, {
        onProgress: async ({ phase }: CommitProgress) => {
          if (phase !== 'landing' || moved) return;
          moved = true;
          await t.moveBranch('o', { 'base.txt': added('theirs') });
        },
      });
      await expect(attempt).rejects.toMatchObject({
        code: 'workspace_behind',
        fields: { conflicts: [{ path: 'base.txt' }] },
      });
      expect(await t.stagedOf('w')).toEqual({ 'base.txt': 'mine' });
      expect(await t.snapshotExists()).toBe(false);
    });

    it('answers a retry with the same token by the commit that landed, committing nothing again', async () => {
      const t = await setUp();
      const w = await t.open('w');
      await t.stage('w', { 'a.txt': added('a1') });
      const first = await t.commit(w, { token: 'job-1' });
      await t.stage('w', { 'b.txt': added('b1') });
      const again = await t.commit(w, { token: 'job-1' });
      expect(again).toEqual(first);
      expect(await t.head()).toBe(first.id);
      expect(await redis.smembers(keys.commits('ns', t.name))).toHaveLength(2);
      expect(await t.stagedOf('w')).toEqual({ 'b.txt': 'b1' });
      // another token is another commit
      const other = await t.commit(await t.workspaces.require('ns', t.name, 'w'), { token: 'job-2' });
      expect(other.parent_ids).toEqual([first.id]);
    });

    it('refuses a second commit of a workspace while one runs; a retry with its token takes over', async () => {
      const t = await setUp();
      const w = await t.open('w');
      await t.stage('w', { 'a.txt': added('a1'), 'b.txt': added('b1') });
      let second: unknown = null;
      const commit = await t.commit(w, {
        token: 'first',
        onProgress: async ({ phase }: CommitProgress) => {
          if (phase !== 'writing' || second !== null) return;
          second = await t.commit(w, { token: 'second' }).catch((error: unknown) => error);
        },
      });
      expect(second).toMatchObject({ code: 'conflict' });
      expect(await t.fileAt(commit.root, 'a.txt')).toBe('a1');
      expect(await t.fileAt(commit.root, 'b.txt')).toBe('b1');
      expect(await t.head()).toBe(commit.id);
      expect(await redis.smembers(keys.commits('ns', t.name))).toHaveLength(2);
      expect(await t.lockHolder()).toBeNull();

      // a worker that died holding the lock: its job's retry (same token) goes on, another is refused
      const moved = await t.workspaces.require('ns', t.name, 'w');
      await t.stage('w', { 'c.txt': added('c1') });
      await redis.set(keys.commitLock('ns', t.name, 'w'), 'dead-job', 'PX', 600_000);
      await expect(t.commit(moved, { token: 'other-job' })).rejects.toMatchObject({ code: 'conflict' });
      expect(await t.stagedOf('w')).toEqual({ 'c.txt': 'c1' });
      const retried = await t.commit(moved, { token: 'dead-job' });
      expect(await t.fileAt(retried.root, 'c.txt')).toBe('c1');
      expect(await t.lockHolder()).toBeNull();
    });

    // A commit job whose BullMQ lock lapsed (10 s without renewal) is run again while the first run
    // still goes on: both hold the token, so the commit lock lets both in.
    it('lands a commit once when a retry with its token runs while the first run still does', async () => {
      const t = await setUp();
      const w = await t.open('w');
      await t.stage('w', { 'a.txt': added('a1', 5) });
      let retry: Promise<unknown> | undefined;
      const commit = await t.commit(w, {
        token: 'job-1',
        onProgress: async ({ phase }: CommitProgress) => {
          if (phase !== 'landing' || retry) return;
          retry = t.commit(w, { token: 'job-1' });
          await retry;
        },
      });
      expect(await retry).toEqual(commit);
      expect(await t.head()).toBe(commit.id);
      expect(commit.parent_ids).toEqual([t.baseId]);
      expect(await redis.smembers(keys.commits('ns', t.name))).toHaveLength(2);
      expect(await t.usage()).toEqual({ files: 0, bytes: 0 });
    });

    it('loses no file staged while two runs of one token overlap', async () => {
      const t = await setUp();
      const w = await t.open('w');
      await t.stage('w', { 'base.txt': added('b2', 5) });
      let retry: Promise<unknown> | undefined;
      let firstLanded!: () => void;
      const landed = new Promise<void>((resolve) => (firstLanded = resolve));
      const first = t.commit(w, {
        token: 'job-1',
        onProgress: async ({ phase }: CommitProgress) => {
          if (phase !== 'writing' || retry) return;
          await t.stage('w', { 'late.txt': added('late1', 7) });
          let retryRead!: () => void;
          const read = new Promise<void>((resolve) => (retryRead = resolve));
          // the retry merges the late file into the snapshot and reads it; this run lands meanwhile
          retry = t
            .commit(w, {
              token: 'job-1',
              onProgress: async (progress: CommitProgress) => {
                if (progress.phase !== 'writing') return;
                retryRead();
                await landed;
              },
            })
            .catch((error: unknown) => error);
          await read;
        },
      });
      // the first run lands nothing once its lock was taken over; the retry lands both files
      await expect(first).rejects.toMatchObject({ code: 'conflict' });
      firstLanded();
      expect(await retry).toMatchObject({ parent_ids: [t.baseId] });
      const committed = await t.fileAt((await t.objects.getCommit(await t.head())).root, 'late.txt');
      const staged = (await t.stagedOf('w'))['late.txt'] ?? null;
      expect(await t.usage()).toEqual({ files: 0, bytes: 0 });
      // acknowledged: committed, or still staged for the next commit
      expect([committed, staged]).toContain('late1');
    });
  });

  it('builds the same tree from a snapshot sorted in several runs on disk as from one run in memory', async () => {
    const runsDir = tempDir('sluice-committer-runs-');
    // runs are cut after each HSCAN batch (~2,000 entries): several batches make several runs
    const inRuns = await setUp({ runEntries: 50, tmpDir: runsDir });
    const inMemory = await setUp();
    const entries: Record<string, StagedEntry> = {};
    for (let i = 0; i < 4500; i++) entries[`d${i % 7}/s${i % 3}/f${i}.txt`] = added(`h${i}`, i);
    entries['base.txt'] = { status: 'removed', hash: '', size: 0, mimeType: '', dataType: 'binary' };
    entries['dir/in.txt'] = added('changed');
    const roots: string[] = [];
    for (const t of [inRuns, inMemory]) {
      const w = await t.open('w');
      await t.stage('w', entries);
      let moved = false;
      const commit = await t.commit(w, {
        // the branch moves once before the landing, so the sorted snapshot is read a second time
        onProgress: async ({ phase }: CommitProgress) => {
          if (phase !== 'landing' || moved) return;
          moved = true;
          if (t === inRuns) {
            const [dir, ...others] = readdirSync(runsDir);
            expect(others).toEqual([]);
            expect(readdirSync(`${runsDir}/${dir!}`).length).toBeGreaterThan(1);
          }
          await t.moveBranch('o', { 'z.txt': added('z') });
        },
      });
      expect(await t.fileAt(commit.root, 'z.txt')).toBe('z');
      roots.push(commit.root);
    }
    expect(roots[0]).toBe(roots[1]);
    expect(await inRuns.fileAt(roots[0]!, 'd3/s2/f17.txt')).toBe('h17');
    expect(await inRuns.fileAt(roots[0]!, 'd5/s2/f4499.txt')).toBe('h4499');
    expect(await inRuns.fileAt(roots[0]!, 'base.txt')).toBeNull();
    expect(await inRuns.fileAt(roots[0]!, 'dir/in.txt')).toBe('changed');
    expect(readdirSync(runsDir)).toEqual([]);
  });
});
