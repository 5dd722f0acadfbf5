import { Cluster, type Redis } from 'ioredis';
import { SluiceError } from '@sluice/core';
import type { RedisClient } from '../redis/redis-client.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import { luaCommands, type LuaCommands } from '../redis/lua-commands.js';

/** Keys unlinked per step: one Redis call never blocks on a whole repository. */
const eraseBatchSize = 500;

/**
 * Deletes a repository's keys (record, branches, commit ids, content references, workspaces and
 * their stages, job results, upload tokens): SCAN over the repository's hash tag and UNLINK in
 * batches of `eraseBatchSize`. Objects in the store (versions, packs, trees, commits) are shared
 * by every repository by content hash and stay where they are.
 */
export class RepoEraser {
  private readonly lua: LuaCommands;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    this.lua = luaCommands(redis);
  }

  /**
   * Deletes the repository; 404 `repo_not_found` (nothing changed) when there is none. A deletion
   * cut short (the process died) left its mark: the name stays reserved and this finishes it.
   * Answers how many keys were unlinked.
   */
  async erase(ns: string, name: string): Promise<number> {
    const mark = this.keys.erasing(ns, name);
    const begun = await this.lua.eraseBegin([this.keys.repo(ns, name), mark]);
    if (begun === 0) throw new SluiceError('repo_not_found', `Repository '${ns}/${name}' not found`);
    await this.redis.srem(this.keys.namespace(ns), name);
    let unlinked = 0;
    for await (const batch of this.batches(this.keys.repoPattern(ns, name))) {
      const keys = batch.filter((key) => key !== mark);
      const count = await this.lua.eraseBatch([mark, ...keys]);
      if (count < 0) return unlinked;
      unlinked += count;
    }
    await this.redis.del(mark);
    return unlinked;
  }

  /** The keys matching `pattern`, at most eraseBatchSize at a time, from the node that holds them. */
  private async *batches(pattern: string): AsyncGenerator<string[]> {
    const nodes: Redis[] = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
    for (const node of nodes) {
      for await (const found of node.scanStream({ match: pattern, count: 1000 })) {
        const keys = found as string[];
        for (let i = 0; i < keys.length; i += eraseBatchSize) yield keys.slice(i, i + eraseBatchSize);
      }
    }
  }
}
