import { ContentBuckets } from './content-buckets.js';
import type { RedisClient } from '../redis/redis-client.js';
import type { RedisKeys } from '../redis/redis-keys.js';

/** Entries moved per HSCAN/SSCAN round. */
const batch = 1000;

/**
 * The content index as sluice kept it before content buckets: one set of stored hashes
 * (`{prefix}:versions`) and one hash of packed locations (`{prefix}:packed`). A deployment
 * upgraded with them keeps working: reads that miss in the buckets look here while these keys
 * exist, and `migrate` (run once by each worker side at start) moves their entries into the
 * buckets, then deletes them. Whether they exist is asked once, at the first read that misses,
 * and again only when a look here finds nothing (another process may have migrated them).
 */
export class LegacyContent {
  /** Whether the legacy keys exist, once asked; null until then (or after asking failed). */
  private present: Promise<boolean> | null = null;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** Which of `hashes` the legacy set holds (none once it is gone). */
  async stored(hashes: readonly string[]): Promise<Set<string>> {
    if (hashes.length === 0 || !(await this.exists())) return new Set();
    const member = await this.redis.smismember(this.keys.legacyVersions(), hashes.slice());
    const found = new Set(hashes.filter((_, i) => member[i] === 1));
    if (found.size === 0) this.present = null;
    return found;
  }

  /** The legacy locations of `hashes`, in order, null where none (all null once it is gone). */
  async locations(hashes: readonly string[]): Promise<Array<string | null>> {
    if (hashes.length === 0 || !(await this.exists())) return hashes.map(() => null);
    // hmget's typing takes fields spread, which fails past ~120,000; call takes them as an array
    const values = (await this.redis.call('hmget', [this.keys.legacyPacked(), ...hashes])) as Array<string | null>;
    if (values.every((value) => value === null)) this.present = null;
    return values;
  }

  /**
   * Moves every legacy entry into the content buckets, then deletes the legacy keys. Idempotent and safe
   * to run in several processes at once: a location is only written where the bucket has none
   * (a newer one recorded since stays), a stored mark never replaces a location, and every entry
   * stays readable in one place or the other until its key is deleted. Returns entries moved.
   */
  async migrate(): Promise<number> {
    if (!(await this.exists())) return 0;
    const buckets = new ContentBuckets(this.redis, this.keys);
    let moved = 0;
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.legacyPacked(), cursor, 'COUNT', batch);
      const pairs: Array<readonly [string, string]> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
      await buckets.setLocations(pairs, false);
      moved += pairs.length;
      cursor = next;
    } while (cursor !== '0');
    do {
      const [next, members] = await this.redis.sscan(this.keys.legacyVersions(), cursor, 'COUNT', batch);
      await buckets.markStored(members);
      moved += members.length;
      cursor = next;
    } while (cursor !== '0');
    // one key per command: the two legacy keys sit in different slots of a cluster
    await this.redis.del(this.keys.legacyPacked());
    await this.redis.del(this.keys.legacyVersions());
    this.present = Promise.resolve(false);
    return moved;
  }

  private exists(): Promise<boolean> {
    if (this.present === null) {
      const asking = Promise.all([
        this.redis.exists(this.keys.legacyVersions()),
        this.redis.exists(this.keys.legacyPacked()),
      ]).then(([versions, packed]) => versions + packed > 0);
      asking.catch(() => {
        if (this.present === asking) this.present = null;
      });
      this.present = asking;
    }
    return this.present;
  }
}
