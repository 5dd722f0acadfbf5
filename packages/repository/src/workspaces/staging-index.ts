import type { RedisClient } from '../redis/redis-client.js';
import type { StagedEntry } from '@sluice/core';
import { decodeStagedEntry, encodeStagedEntry } from './staged-entry-codec.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import { luaCommands, type LuaCommands } from '../redis/lua-commands.js';

/** One staging step (see StagingIndex.apply). */
export interface StageStep {
  ns: string;
  repo: string;
  /** The repository the files are for: one deleted and created again under its name is another. */
  repoUuid: string;
  workspaceId: string;
  entries: ReadonlyMap<string, StagedEntry>;
  unchanged: readonly string[];
  quota?: WorkspaceQuota;
  /**
   * The ingest job the step is, whose result is recorded with it (kept `ttlSeconds`) so a retried
   * attempt applies nothing twice. Absent for a step that is no job's (stage-by-hash).
   */
  job?: { id: string; result: string; ttlSeconds: number };
}

/** Paths asked of the stage per collision or unstaging script call. */
const collisionBatch = 1000;
/** The entry a collision question pairs each path with: a file (not a removal), in the staged encoding. */
const someFile = encodeStagedEntry({ status: 'added', hash: '', size: 0, mimeType: '', dataType: 'binary' });

/**
 * A file that would collide with a staged one: `path` is under the
 * staged file `staged`, or is itself the directory of staged files.
 */
export interface StagedCollision {
  path: string;
  staged: string;
}

/** Why a file/directory collision refuses a request, naming both paths. */
export function collisionMessage({ path, staged }: StagedCollision): string {
  return path === staged
    ? `cannot stage a file at ${path}: files are staged under it; nothing was staged (unstage them first)`
    : `cannot stage ${path}: ${staged} is a staged file, not a directory; nothing was staged (unstage it first)`;
}

/** Most files and bytes one workspace may stage; 0 is no limit. */
export interface WorkspaceQuota {
  files: number;
  bytes: number;
}

export interface WorkspaceUsage {
  files: number;
  bytes: number;
}

/** Why staging was refused: what the quota allows and what the workspace holds. */
export function quotaExceededMessage(workspaceId: string, usage: WorkspaceUsage, quota: WorkspaceQuota): string {
  const limits = [quota.files > 0 ? `${quota.files} files` : '', quota.bytes > 0 ? `${quota.bytes} bytes` : '']
    .filter(Boolean)
    .join(' and ');
  return (
    `workspace ${workspaceId} may stage at most ${limits}; it has ${usage.files} files and ${usage.bytes} bytes ` +
    `staged, and this upload would pass that: commit or unstage first`
  );
}

/** The staged entries of each workspace, one Redis hash per workspace keyed by path. */
export class StagingIndex {
  private readonly lua: LuaCommands;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    this.lua = luaCommands(redis);
  }

  /**
   * Stages `entries` and removes `unchanged` paths in one step, recording the job's result if it is
   * a job's. Returns 'workspace_gone' when the workspace (or the repository `repoUuid` names) was deleted
   * meanwhile, 'already_applied' when the job's result was recorded by another attempt,
   * 'over_quota' when the job would take the workspace past `quota`, and the collision when a file
   * would collide with a staged one; these change nothing.
   */
  async apply(
    step: StageStep,
  ): Promise<'applied' | 'workspace_gone' | 'already_applied' | 'over_quota' | StagedCollision> {
    const { ns, repo, workspaceId, entries, job, quota = { files: 0, bytes: 0 } } = step;
    const argv: Array<string | number> = [
      workspaceId,
      job?.result ?? '',
      job?.ttlSeconds ?? 0,
      quota.files,
      quota.bytes,
      entries.size,
      step.repoUuid,
    ];
    for (const [path, entry] of entries) argv.push(path, encodeStagedEntry(entry));
    for (const path of step.unchanged) argv.push(path);
    const keys = [
      this.keys.workspaces(ns, repo),
      this.keys.staged(ns, repo, workspaceId),
      // a step of no job records nothing: the slot holds a key of the same repository, never read
      job === undefined ? this.keys.staged(ns, repo, workspaceId) : this.keys.jobResult(ns, repo, job.id),
      this.keys.usage(ns, repo, workspaceId),
      this.keys.content(ns, repo),
      this.keys.stagedDirs(ns, repo, workspaceId),
      this.keys.stagedSnapshot(ns, repo, workspaceId),
      this.keys.snapshotDirs(ns, repo, workspaceId),
      this.keys.repo(ns, repo),
    ] as const;
    const outcome = await this.lua.stage(keys, argv);
    if (Array.isArray(outcome)) return { path: outcome[1], staged: outcome[2] };
    return (['workspace_gone', 'applied', 'already_applied', 'over_quota'] as const)[outcome] ?? 'workspace_gone';
  }

  /**
   * The first of `paths` that would collide with a staged file (see stage-collision-4.lua), or
   * null; changes nothing. Asked in batches, so a large request never makes one long script.
   */
  async collisionOf(
    ns: string,
    repo: string,
    workspaceId: string,
    paths: readonly string[],
  ): Promise<StagedCollision | null> {
    const keys = [
      this.keys.staged(ns, repo, workspaceId),
      this.keys.stagedDirs(ns, repo, workspaceId),
      this.keys.stagedSnapshot(ns, repo, workspaceId),
      this.keys.snapshotDirs(ns, repo, workspaceId),
    ] as const;
    // each distinct path asked once (a request may name one more than once), in the order first named
    const unique = [...new Set(paths)];
    for (let at = 0; at < unique.length; at += collisionBatch) {
      const argv = unique.slice(at, at + collisionBatch).flatMap((path) => [path, someFile]);
      const found = await this.lua.stageCollision(keys, argv);
      if (found !== null) return { path: found[0], staged: found[1] };
    }
    return null;
  }

  private editKeys(ns: string, repo: string, workspaceId: string): readonly [string, string, string, string, string] {
    return [
      this.keys.staged(ns, repo, workspaceId),
      this.keys.usage(ns, repo, workspaceId),
      this.keys.stagedDirs(ns, repo, workspaceId),
      this.keys.stagedSnapshot(ns, repo, workspaceId),
      this.keys.snapshotDirs(ns, repo, workspaceId),
    ];
  }

  /**
   * Sets entries directly (stage edits that need no job: removals, moves), all or nothing:
   * 'over_quota' when they would take the workspace past `quota`, the collision when a file would
   * collide with a staged one.
   */
  async put(
    ns: string,
    repo: string,
    workspaceId: string,
    entries: ReadonlyMap<string, StagedEntry>,
    quota: WorkspaceQuota = { files: 0, bytes: 0 },
    unstage: readonly string[] = [],
  ): Promise<'applied' | 'over_quota' | StagedCollision> {
    if (entries.size === 0 && unstage.length === 0) return 'applied';
    const flat: string[] = [];
    for (const [path, entry] of entries) flat.push(path, encodeStagedEntry(entry));
    const [outcome, path, staged] = await this.lua.stageEdit(this.editKeys(ns, repo, workspaceId), [
      quota.files,
      quota.bytes,
      entries.size,
      ...flat,
      ...unstage,
    ]);
    if (outcome === 'over_quota') return 'over_quota';
    if (outcome === 'collision') return { path: path!, staged: staged! };
    return 'applied';
  }

  /** What the workspace has staged, as its quotas count it. */
  async usage(ns: string, repo: string, workspaceId: string): Promise<WorkspaceUsage> {
    const [files, bytes] = await this.redis.hmget(this.keys.usage(ns, repo, workspaceId), 'files', 'bytes');
    return { files: Number(files ?? 0), bytes: Number(bytes ?? 0) };
  }

  /** The result a job recorded when it staged its files, if it got that far. */
  async appliedResult(ns: string, repo: string, jobId: string): Promise<string | null> {
    return this.redis.get(this.keys.jobResult(ns, repo, jobId));
  }

  /**
   * Records a job's result unless one is recorded already (the first attempt to finish wins),
   * with the content whose bytes the job brought to the repository (see RedisKeys.content).
   */
  async recordResult(
    ns: string,
    repo: string,
    jobId: string,
    result: string,
    ttlSeconds: number,
    hashes: readonly string[] = [],
  ): Promise<void> {
    const tx = this.redis.multi().set(this.keys.jobResult(ns, repo, jobId), result, 'EX', ttlSeconds, 'NX');
    if (hashes.length > 0) tx.sadd(this.keys.content(ns, repo), hashes.slice());
    await tx.exec();
  }

  async get(ns: string, repo: string, workspaceId: string, path: string): Promise<StagedEntry | null> {
    const json = await this.redis.hget(this.keys.staged(ns, repo, workspaceId), path);
    return json === null ? null : decodeStagedEntry(json);
  }

  /** Every staged entry, read with HSCAN so a large index never blocks Redis. */
  async *entries(ns: string, repo: string, workspaceId: string): AsyncIterable<[string, StagedEntry]> {
    const stream = this.redis.hscanStream(this.keys.staged(ns, repo, workspaceId), { count: 1000 });
    for await (const batch of stream) {
      const flat = batch as string[];
      for (let i = 0; i < flat.length; i += 2) yield [flat[i] as string, decodeStagedEntry(flat[i + 1] as string)];
    }
  }

  async count(ns: string, repo: string, workspaceId: string): Promise<number> {
    return this.redis.hlen(this.keys.staged(ns, repo, workspaceId));
  }

  /** Removes paths from the index; returns those that were staged. */
  async unstage(ns: string, repo: string, workspaceId: string, paths: readonly string[]): Promise<string[]> {
    // a body may name a path hundreds of thousands of times: more arguments than one call can spread
    const unique = [...new Set(paths)];
    const unstaged: string[] = [];
    for (let at = 0; at < unique.length; at += collisionBatch) {
      const batch = unique.slice(at, at + collisionBatch);
      const [, ...some] = await this.lua.stageEdit(this.editKeys(ns, repo, workspaceId), [0, 0, 0, ...batch]);
      for (const path of some) unstaged.push(path);
    }
    return unstaged;
  }
}
