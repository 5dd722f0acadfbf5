import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis-client.js';
import { SluiceError, type Commit, type StagedEntry, type Workspace } from '@sluice/core';
import { commitScript, restoreScript, snapshotScript } from './commit-script.js';
import type { ObjectStore, TreeChange } from './object-store.js';
import type { RedisKeys } from './redis-keys.js';
import type { RepoStore } from './repo-store.js';

export interface CommitMessage {
  message: string;
  author: string;
  email: string;
}

export interface CommitProgress {
  phase: 'reading' | 'checking' | 'writing' | 'landing';
  entries: number;
}

export interface CommitOptions {
  /**
   * Identifies this commit attempt. A retry with the same token (a queued commit job retried after
   * its worker died) takes over the attempt's lease and finds the commit if it had landed.
   */
  token?: string;
  onProgress?: (progress: CommitProgress) => Promise<void> | void;
}

export interface Mergeability {
  isMergeable: boolean;
  conflicts: string[];
  commits: Commit[];
}

type Scripts = {
  sluiceCommit(...args: Array<string | number>): Promise<number>;
  sluiceSnapshot(...args: Array<string | number>): Promise<number>;
  sluiceRestore(...args: Array<string | number>): Promise<number>;
};

/** How often a commit is rebuilt on a branch that moved while it was being written. */
const maxLandingAttempts = 20;
/** How long a landed commit stays findable by its token: longer than any job retry takes. */
const landedRecordSeconds = 86_400;

/**
 * Commits a workspace onto a branch (reference §8): the new commit's parent is the branch head,
 * a file changed on both sides since the workspace's base is a conflict, and the branch ref moves
 * by compare-and-set in Redis, so commits from any number of API nodes serialize safely.
 */
export class WorkspaceCommitter {
  private readonly scripts: Scripts;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly repos: RepoStore,
    private readonly objects: ObjectStore,
  ) {
    if (!('sluiceCommit' in redis)) {
      redis.defineCommand('sluiceCommit', { numberOfKeys: 7, lua: commitScript });
      redis.defineCommand('sluiceSnapshot', { numberOfKeys: 3, lua: snapshotScript });
      redis.defineCommand('sluiceRestore', { numberOfKeys: 3, lua: restoreScript });
    }
    this.scripts = redis as unknown as Scripts;
  }

  private async requireHead(ns: string, repo: string, branch: string): Promise<string> {
    const head = await this.repos.branchHead(ns, repo, branch);
    if (head === null) throw new SluiceError('branch_not_found', `Could not find branch: ${branch}`, { statusMessage: 'resource_not_found' });
    return head;
  }

  /** Staged paths that the branch changed too since the workspace's base commit. */
  private async conflicts(paths: Iterable<string> | AsyncIterable<string>, baseId: string, headId: string): Promise<string[]> {
    if (baseId === headId) return [];
    const [base, head] = await Promise.all([this.objects.getCommit(baseId), this.objects.getCommit(headId)]);
    const out: string[] = [];
    for await (const path of paths) {
      const [inHead, inBase] = await Promise.all([this.objects.lookup(head.root, path), this.objects.lookup(base.root, path)]);
      if (inHead?.kind === 'file' && inBase?.kind === 'file' && inHead.hash !== inBase.hash) out.push(path);
    }
    return out.sort();
  }

  /**
   * Copies the snapshot's paths into a sorted set (scores 0: ordered by path), in batches, and
   * sums what the snapshot counts in the workspace's usage (see usage-lua.ts).
   */
  private async sortSnapshot(snapshot: string, order: string): Promise<{ files: number; bytes: number }> {
    await this.redis.del(order);
    const usage = { files: 0, bytes: 0 };
    const stream = this.redis.hscanStream(snapshot, { count: 2000 });
    for await (const batch of stream) {
      const flat = batch as string[];
      const members: Array<string | number> = [];
      for (let i = 0; i < flat.length; i += 2) {
        members.push(0, flat[i]!);
        const entry = JSON.parse(flat[i + 1]!) as StagedEntry;
        usage.files += 1;
        if (entry.status !== 'removed') usage.bytes += entry.size;
      }
      if (members.length > 0) await this.redis.zadd(order, ...members);
    }
    return usage;
  }

  private async *pathsInOrder(snapshot: string, order: string): AsyncIterable<string> {
    for await (const [path] of this.changesInOrder(snapshot, order)) yield path;
  }

  /** The snapshot's entries in path order, 5,000 at a time: what buildTree streams from. */
  private async *changesInOrder(snapshot: string, order: string): AsyncIterable<readonly [string, TreeChange]> {
    for (let after = '-'; ; ) {
      const paths = await this.redis.zrangebylex(order, after, '+', 'LIMIT', 0, 5000);
      if (paths.length === 0) return;
      const values = await this.redis.hmget(snapshot, ...paths);
      for (let i = 0; i < paths.length; i++) {
        const entry = JSON.parse(values[i] ?? 'null') as StagedEntry | null;
        if (entry === null) continue;
        yield [paths[i]!, entry.status === 'removed' ? null : { hash: entry.hash, size: entry.size, mimeType: entry.mimeType, dataType: entry.dataType }];
      }
      after = `(${paths[paths.length - 1]}`;
    }
  }

  async mergeability(ns: string, repo: string, workspace: Workspace, branch: string): Promise<Mergeability> {
    const head = await this.requireHead(ns, repo, branch);
    const paths: string[] = [];
    const stream = this.redis.hscanStream(this.keys.staged(ns, repo, workspace.id), { count: 1000 });
    for await (const batch of stream) for (let i = 0; i < (batch as string[]).length; i += 2) paths.push((batch as string[])[i]!);
    const conflicts = await this.conflicts(paths, workspace.commitId, head);
    const commits: Commit[] = [];
    for (let id: string | undefined = head; id !== undefined && commits.length < 1000; ) {
      const commit = await this.objects.getCommit(id);
      commits.push(commit);
      if (id === workspace.commitId) break;
      id = commit.parent_ids[0];
    }
    return { isMergeable: conflicts.length === 0, conflicts, commits };
  }

  async commit(ns: string, repo: string, workspace: Workspace, branch: string, message: CommitMessage, options: CommitOptions = {}): Promise<Commit> {
    const token = options.token ?? randomUUID();
    const landedKey = this.keys.landedCommit(ns, repo, token);
    const landedBefore = await this.redis.get(landedKey);
    if (landedBefore !== null) return JSON.parse(landedBefore) as Commit;
    await this.requireHead(ns, repo, branch);
    const lockKey = this.keys.commitLock(ns, repo, workspace.id);
    const owner = await this.redis.set(lockKey, token, 'PX', 600_000, 'NX');
    if (owner === null && (await this.redis.get(lockKey)) !== token) {
      throw new SluiceError('conflict', `A commit of workspace '${workspace.id}' is already running`);
    }
    const report = async (progress: CommitProgress) => options.onProgress?.(progress);
    const staged = this.keys.staged(ns, repo, workspace.id);
    const snapshot = this.keys.stagedSnapshot(ns, repo, workspace.id);
    const usageKey = this.keys.usage(ns, repo, workspace.id);
    const order = this.keys.snapshotOrder(ns, repo, workspace.id);
    try {
      const count = await this.scripts.sluiceSnapshot(staged, snapshot, usageKey);
      if (count === 0) throw new SluiceError('unprocessable', 'No changes to commit', { statusMessage: 'NoChanges' });
      const usage = await this.sortSnapshot(snapshot, order);
      for (let attempt = 0; attempt < maxLandingAttempts; attempt++) {
        const head = await this.requireHead(ns, repo, branch);
        await report({ phase: 'checking', entries: count });
        const conflicts = await this.conflicts(this.pathsInOrder(snapshot, order), workspace.commitId, head);
        if (conflicts.length > 0) {
          throw new SluiceError('workspace_behind', `This workspace '${workspace.id}' is behind on branch '${branch}' commit ${workspace.commitId} < ${head}`, {
            fields: { conflicts: conflicts.map((path) => ({ path })) },
          });
        }
        await report({ phase: 'writing', entries: count });
        const root = await this.objects.buildTree((await this.objects.getCommit(head)).root, this.changesInOrder(snapshot, order));
        const commit = await this.objects.putCommit({ parent_ids: [head], ...message, timestamp: new Date().toISOString(), root });
        const moved = workspace.name === null ? '' : JSON.stringify({ ...workspace, commitId: commit.id });
        await report({ phase: 'landing', entries: count });
        const landed = await this.scripts.sluiceCommit(
          this.keys.branches(ns, repo), snapshot, this.keys.workspaces(ns, repo), this.keys.workspaceNames(ns, repo), landedKey, usageKey, this.keys.commits(ns, repo),
          branch, head, commit.id, workspace.id, moved, workspace.name ?? '', JSON.stringify(commit), landedRecordSeconds, usage.files, usage.bytes,
        );
        if (landed === 1) return commit;
      }
      throw new SluiceError('conflict', `branch '${branch}' kept moving; try the commit again`);
    } catch (error) {
      await this.scripts.sluiceRestore(staged, snapshot, usageKey);
      throw error;
    } finally {
      await this.redis.del(order);
      // release only our own lock
      if ((await this.redis.get(lockKey)) === token) await this.redis.del(lockKey);
    }
  }
}
