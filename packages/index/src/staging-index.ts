import type { RedisClient } from './redis-client.js';
import type { StagedEntry } from '@sluice/core';
import type { RedisKeys } from './redis-keys.js';
import { stageScript } from './stage-script.js';

type StageCommand = (keys: [string, string, string], ...argv: Array<string | number>) => Promise<number>;

/** The staged entries of each workspace, one Redis hash per workspace keyed by path. */
export class StagingIndex {
  private readonly stageCommand: StageCommand;

  constructor(private readonly redis: RedisClient, private readonly keys: RedisKeys) {
    if (!('sluiceStage' in redis)) redis.defineCommand('sluiceStage', { numberOfKeys: 3, lua: stageScript });
    const command = (redis as unknown as { sluiceStage: (...args: Array<string | number>) => Promise<number> }).sluiceStage.bind(redis);
    this.stageCommand = (keys, ...argv) => command(...keys, ...argv);
  }

  /**
   * Stages `entries` and removes `unchanged` paths in one step, recording `result` for the job.
   * Returns 'workspace_gone' when the workspace was deleted meanwhile and 'already_applied' when
   * the job's result was recorded by another attempt; both change nothing.
   */
  async apply(
    ns: string, repo: string, workspaceId: string, jobId: string,
    entries: ReadonlyMap<string, StagedEntry>, unchanged: readonly string[], result: string, ttlSeconds: number,
  ): Promise<'applied' | 'workspace_gone' | 'already_applied'> {
    const argv: Array<string | number> = [workspaceId, result, ttlSeconds, entries.size];
    for (const [path, entry] of entries) argv.push(path, JSON.stringify(entry));
    argv.push(...unchanged);
    const keys: [string, string, string] = [this.keys.workspaces(ns, repo), this.keys.staged(ns, repo, workspaceId), this.keys.jobResult(ns, repo, jobId)];
    const outcome = await this.stageCommand(keys, ...argv);
    return outcome === 1 ? 'applied' : outcome === 2 ? 'already_applied' : 'workspace_gone';
  }

  /** Sets entries directly (stage edits that need no job: removals, moves). */
  async put(ns: string, repo: string, workspaceId: string, entries: ReadonlyMap<string, StagedEntry>): Promise<void> {
    if (entries.size === 0) return;
    const flat: string[] = [];
    for (const [path, entry] of entries) flat.push(path, JSON.stringify(entry));
    await this.redis.hset(this.keys.staged(ns, repo, workspaceId), ...flat);
  }

  /** The result a job recorded when it staged its files, if it got that far. */
  async appliedResult(ns: string, repo: string, jobId: string): Promise<string | null> {
    return this.redis.get(this.keys.jobResult(ns, repo, jobId));
  }

  /** Records a job's result unless one is recorded already (the first attempt to finish wins). */
  async recordResult(ns: string, repo: string, jobId: string, result: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.keys.jobResult(ns, repo, jobId), result, 'EX', ttlSeconds, 'NX');
  }

  async get(ns: string, repo: string, workspaceId: string, path: string): Promise<StagedEntry | null> {
    const json = await this.redis.hget(this.keys.staged(ns, repo, workspaceId), path);
    return json === null ? null : (JSON.parse(json) as StagedEntry);
  }

  /** Every staged entry, read with HSCAN so a large index never blocks Redis. */
  async *entries(ns: string, repo: string, workspaceId: string): AsyncIterable<[string, StagedEntry]> {
    const stream = this.redis.hscanStream(this.keys.staged(ns, repo, workspaceId), { count: 1000 });
    for await (const batch of stream) {
      const flat = batch as string[];
      for (let i = 0; i < flat.length; i += 2) yield [flat[i] as string, JSON.parse(flat[i + 1] as string) as StagedEntry];
    }
  }

  async count(ns: string, repo: string, workspaceId: string): Promise<number> {
    return this.redis.hlen(this.keys.staged(ns, repo, workspaceId));
  }

  /** Removes paths from the index; returns those that were staged. */
  async unstage(ns: string, repo: string, workspaceId: string, paths: readonly string[]): Promise<string[]> {
    if (paths.length === 0) return [];
    const key = this.keys.staged(ns, repo, workspaceId);
    const tx = this.redis.multi().hmget(key, ...paths).hdel(key, ...paths);
    const replies = (await tx.exec()) ?? [];
    const present = (replies[0]?.[1] ?? []) as Array<string | null>;
    return paths.filter((_, i) => present[i] !== null);
  }
}
