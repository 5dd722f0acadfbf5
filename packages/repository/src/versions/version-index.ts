import { ContentBuckets } from './content-buckets.js';
import type { LegacyContent } from './legacy-content.js';
import type { RedisClient } from '../redis/redis-client.js';
import type { RedisKeys } from '../redis/redis-keys.js';

/**
 * Which content hashes the version store holds, in the content buckets (content-buckets.ts): a
 * hash is stored when its bucket has a field for it, whether a pack location or '' for an object
 * of its own. A few commands answer for a whole batch, where asking the object store would cost
 * a request per file. A hash is marked only after its blob is written (a location only once its
 * pack is durable); a mark lost with Redis only costs rewriting identical content.
 */
export class VersionIndex {
  private readonly buckets: ContentBuckets;

  /** `legacy`: the keys of an earlier layout, read until migrated (none in a new deployment). */
  constructor(
    redis: RedisClient,
    keys: RedisKeys,
    private readonly legacy?: LegacyContent,
  ) {
    this.buckets = new ContentBuckets(redis, keys);
  }

  /** The subset of `hashes` not known to be stored. */
  async missing(hashes: readonly string[]): Promise<Set<string>> {
    if (hashes.length === 0) return new Set();
    const values = await this.buckets.read(hashes);
    const missing = new Set(hashes.filter((_, i) => values[i] === null));
    if (this.legacy !== undefined && missing.size > 0) {
      for (const hash of await this.legacy.stored([...missing])) missing.delete(hash);
    }
    return missing;
  }

  async markStored(hashes: readonly string[]): Promise<void> {
    if (hashes.length > 0) await this.buckets.markStored(hashes);
  }
}
