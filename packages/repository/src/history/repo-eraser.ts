import { Cluster, type Redis } from 'ioredis';
import { SluiceError } from '@sluice/core';
import type { RedisClient } from '../redis/redis-client.js';
import type { RedisKeys } from '../redis/redis-keys.js';

/**
 * Starts a deletion: the repository record goes and the erasing mark is set in one step, so the
 * repository is not found from then on and its name cannot be created again until the mark goes.
 *
 * KEYS[1]  repository record hash, KEYS[2] the erasing mark
 * Returns 1 when the repository was there; 2 when only the mark was (a deletion cut short, resumed);
 * 0 (nothing changed) when neither was.
 */
const beginScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], '1')
  return 1
end
if redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
return 0
`;

/**
 * Unlinks one batch of the repository's keys while the mark stands: once another deletion has
 * finished and the name may have been created again, nothing more is removed.
 *
 * KEYS[1]  the erasing mark, KEYS[2 ..] keys to unlink
 * Returns how many were unlinked, or -1 (nothing changed) when the mark is gone.
 */
const unlinkScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if #KEYS < 2 then return 0 end
return redis.call('UNLINK', unpack(KEYS, 2))
`;

type Scripts = {
  sluiceEraseBegin(...args: string[]): Promise<number>;
  sluiceEraseBatch(...args: string[]): Promise<number>;
};

/** Keys unlinked per step: one Redis call never blocks on a whole repository. */
export const eraseBatchSize = 500;

/**
 * Deletes a repository's keys (record, branches, commit ids, content references, workspaces and
 * their stages, job results, upload tokens): SCAN over the repository's hash tag and UNLINK in
 * batches of `eraseBatchSize`. Objects in the store (versions, packs, trees, commits) are shared
 * by every repository by content hash and stay where they are.
 */
export class RepoEraser {
  private readonly scripts: Scripts;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    if (!('sluiceEraseBegin' in redis)) {
      redis.defineCommand('sluiceEraseBegin', { numberOfKeys: 2, lua: beginScript });
      redis.defineCommand('sluiceEraseBatch', { lua: unlinkScript });
    }
    this.scripts = redis as unknown as Scripts;
  }

  /**
   * Deletes the repository; 404 `repo_not_found` (nothing changed) when there is none. A deletion
   * cut short (the process died) left its mark: the name stays reserved and this finishes it.
   * Answers how many keys were unlinked.
   */
  async erase(ns: string, name: string): Promise<number> {
    const mark = this.keys.erasing(ns, name);
    const begun = await this.scripts.sluiceEraseBegin(this.keys.repo(ns, name), mark);
    if (begun === 0) throw new SluiceError('repo_not_found', `Repository '${ns}/${name}' not found`);
    await this.redis.srem(this.keys.namespace(ns), name);
    let unlinked = 0;
    for await (const batch of this.batches(this.keys.repoPattern(ns, name))) {
      const keys = batch.filter((key) => key !== mark);
      const count = await this.scripts.sluiceEraseBatch(String(keys.length + 1), mark, ...keys);
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
