import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Which content hashes the version store holds, as a Redis set: one command answers for a whole
 * batch, where asking the object store would cost a request per file. A hash is added only after
 * its blob is written; a set lost with Redis only costs rewriting identical content.
 */
export class VersionIndex {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** The subset of `hashes` not known to be stored. */
  async missing(hashes: readonly string[]): Promise<Set<string>> {
    if (hashes.length === 0) return new Set();
    const present = await this.redis.smismember(this.keys.versions(), ...hashes);
    return new Set(hashes.filter((_, i) => present[i] === 0));
  }

  async markStored(hashes: readonly string[]): Promise<void> {
    if (hashes.length > 0) await this.redis.sadd(this.keys.versions(), ...hashes);
  }
}
