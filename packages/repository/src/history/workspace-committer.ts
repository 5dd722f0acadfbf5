import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis/redis-client.js';
import { SluiceError, type Commit, type Workspace } from '@sluice/core';
import type { ObjectStore } from './object-store.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import { luaCommands, type LuaCommands } from '../redis/lua-commands.js';
import type { RepoStore } from './repo-store.js';
import { SortedSnapshot, type SortedSnapshotOptions } from './sorted-snapshot.js';

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

/** Entries one step of moveStaged moves (HSCAN's COUNT): a bounded time Redis is blocked. */
const moveBatch = 2000;
/** How often a commit is rebuilt on a branch that moved while it was being written. */
const maxLandingAttempts = 20;
/** How long a landed commit stays findable by its token: longer than any job retry takes. */
const landedRecordSeconds = 86_400;

/**
 * Commits a workspace onto a branch (docs/architecture.md#commits): the new commit's parent is the branch head,
 * a file changed on both sides since the workspace's base is a conflict, and the branch ref moves
 * by compare-and-set in Redis, so commits from any number of API nodes serialize safely.
 */
export class WorkspaceCommitter {
  private readonly lua: LuaCommands;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly repos: RepoStore,
    private readonly objects: ObjectStore,
    private readonly sortOptions: SortedSnapshotOptions = {},
  ) {
    this.lua = luaCommands(redis);
  }

  private async requireHead(ns: string, repo: string, branch: string): Promise<string> {
    const head = await this.repos.branchHead(ns, repo, branch);
    if (head === null)
      throw new SluiceError('branch_not_found', `Could not find branch: ${branch}`, {
        statusMessage: 'resource_not_found',
      });
    return head;
  }

  /**
   * Staged paths that the branch changed too since the workspace's base commit: a file changed on
   * both sides, and a staged path where the branch now has a directory or under a file the branch
   * added (staging refused those against the base, so only the branch can have brought them).
   */
  private async conflicts(
    paths: Iterable<string> | AsyncIterable<string>,
    baseId: string,
    headId: string,
  ): Promise<string[]> {
    if (baseId === headId) return [];
    const [base, head] = await Promise.all([this.objects.getCommit(baseId), this.objects.getCommit(headId)]);
    const out: string[] = [];
    for await (const path of paths) {
      const [inHead, inBase] = await Promise.all([
        this.objects.probe(head.root, path),
        this.objects.lookup(base.root, path),
      ]);
      const changedBoth = inHead.entry?.kind === 'file' && inBase?.kind === 'file' && inHead.entry.hash !== inBase.hash;
      if (changedBoth || inHead.fileAbove !== null || (inHead.entry?.kind === 'dir' && inBase?.kind !== 'dir'))
        out.push(path);
    }
    return out.sort();
  }

  /**
   * Moves every entry of `from` into `to` in HSCAN batches (move-staged-6.lua); `from` is then gone.
   * `dirs` are the directory counts of `from` and of `to`, kept with them.
   */
  private async moveStaged(
    from: string,
    to: string,
    usageKey: string,
    mode: 'keep' | 'replace',
    dirs: readonly [string, string],
    lock: { key: string; run: string },
  ): Promise<void> {
    // Entries staged into `from` while it moves may be missed by the scan: another round takes
    // them, and a stage that keeps growing is left for the next commit after a few rounds.
    for (let round = 0; round < 4 && (await this.redis.exists(from)) === 1; round++) {
      let cursor = '0';
      do
        cursor = await this.lua.moveStaged(
          [from, to, usageKey, ...dirs, lock.key],
          [cursor, moveBatch, mode, lock.run],
        );
      while (cursor !== '0');
    }
  }

  async mergeability(ns: string, repo: string, workspace: Workspace, branch: string): Promise<Mergeability> {
    const head = await this.requireHead(ns, repo, branch);
    const paths: string[] = [];
    const stream = this.redis.hscanStream(this.keys.staged(ns, repo, workspace.id), { count: 1000 });
    for await (const batch of stream)
      for (let i = 0; i < (batch as string[]).length; i += 2) paths.push((batch as string[])[i]!);
    const conflicts = await this.conflicts(paths, workspace.commitId, head);
    const commits: Commit[] = [];
    for (let id: string | undefined = head; id !== undefined && commits.length < 1000;) {
      const commit = await this.objects.getCommit(id);
      commits.push(commit);
      if (id === workspace.commitId) break;
      id = commit.parent_ids[0];
    }
    return { isMergeable: conflicts.length === 0, conflicts, commits };
  }

  async commit(
    ns: string,
    repo: string,
    workspace: Workspace,
    branch: string,
    message: CommitMessage,
    options: CommitOptions = {},
  ): Promise<Commit> {
    const token = options.token ?? randomUUID();
    const landedKey = this.keys.landedCommit(ns, repo, token);
    const landedBefore = await this.redis.get(landedKey);
    if (landedBefore !== null) return JSON.parse(landedBefore) as Commit;
    await this.requireHead(ns, repo, branch);
    const lockKey = this.keys.commitLock(ns, repo, workspace.id);
    // one value per run: a run whose lock a retry of its token took over must land nothing
    const lock = { key: lockKey, run: `${token} ${randomUUID()}` };
    if ((await this.lua.commitLock([lockKey], [lock.run, `${token} `, 600_000])) !== 1) {
      throw new SluiceError('conflict', `A commit of workspace '${workspace.id}' is already running`);
    }
    const report = async (progress: CommitProgress) => options.onProgress?.(progress);
    const staged = this.keys.staged(ns, repo, workspace.id);
    const snapshot = this.keys.stagedSnapshot(ns, repo, workspace.id);
    const usageKey = this.keys.usage(ns, repo, workspace.id);
    // directory counts of the stage and of the snapshot (redis/staged-dirs.lua)
    const dirKeys = [
      this.keys.stagedDirs(ns, repo, workspace.id),
      this.keys.snapshotDirs(ns, repo, workspace.id),
    ] as const;
    let sorted: SortedSnapshot | undefined;
    try {
      let count = await this.lua.snapshot([staged, snapshot, ...dirKeys]);
      if (count === -1) {
        // an earlier attempt's snapshot never went back: the stage joins it, newer entries winning
        await this.moveStaged(staged, snapshot, usageKey, 'replace', dirKeys, lock);
        count = await this.lua.snapshot([staged, snapshot, ...dirKeys]);
        // files still arriving stay staged for the next commit
        if (count === -1) count = await this.redis.hlen(snapshot);
      }
      if (count === 0) throw new SluiceError('unprocessable', 'No changes to commit', { statusMessage: 'NoChanges' });
      sorted = await SortedSnapshot.read(this.redis, snapshot, this.sortOptions);
      for (let attempt = 0; attempt < maxLandingAttempts; attempt++) {
        const head = await this.requireHead(ns, repo, branch);
        await report({ phase: 'checking', entries: count });
        const conflicts = await this.conflicts(sorted.paths(), workspace.commitId, head);
        if (conflicts.length > 0) {
          throw new SluiceError(
            'workspace_behind',
            `This workspace '${workspace.id}' is behind on branch '${branch}' commit ${workspace.commitId} < ${head}`,
            {
              fields: { conflicts: conflicts.map((path) => ({ path })) },
            },
          );
        }
        await report({ phase: 'writing', entries: count });
        const root = await this.objects.buildTreeInBatches((await this.objects.getCommit(head)).root, sorted.batches());
        const commit = await this.objects.putCommit({
          parent_ids: [head],
          ...message,
          timestamp: new Date().toISOString(),
          root,
        });
        const moved = JSON.stringify({ ...workspace, commitId: commit.id });
        await report({ phase: 'landing', entries: count });
        const landed = await this.lua.commit(
          [
            this.keys.branches(ns, repo),
            snapshot,
            this.keys.workspaces(ns, repo),
            staged,
            landedKey,
            usageKey,
            this.keys.commits(ns, repo),
            dirKeys[1],
            dirKeys[0],
            lockKey,
          ],
          [
            branch,
            head,
            commit.id,
            workspace.id,
            moved,
            workspace.name ?? '',
            JSON.stringify(commit),
            landedRecordSeconds,
            sorted.files,
            sorted.bytes,
            lock.run,
          ],
        );
        if (landed === 1) return commit;
        if (landed === 2) {
          const landedNow = await this.redis.get(landedKey);
          if (landedNow !== null) return JSON.parse(landedNow) as Commit;
          throw new SluiceError('conflict', `a retry of this commit of workspace '${workspace.id}' took it over`);
        }
      }
      throw new SluiceError('conflict', `branch '${branch}' kept moving; try the commit again`);
    } catch (error) {
      await this.moveStaged(snapshot, staged, usageKey, 'keep', [dirKeys[1], dirKeys[0]], lock);
      throw error;
    } finally {
      await sorted?.close();
      // release only our own lock
      if ((await this.redis.get(lockKey)) === lock.run) await this.redis.del(lockKey);
    }
  }
}
