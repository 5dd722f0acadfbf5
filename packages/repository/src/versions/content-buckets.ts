import type { RedisClient } from '../redis/redis-client.js';
import type { RedisKeys } from '../redis/redis-keys.js';

/** Sets each field of ARGV to '' unless it has a value: marks stored without losing a location. */
const markScript = `for i = 1, #ARGV do redis.call('hsetnx', KEYS[1], ARGV[i], '') end`;

/** Sets each field/value pair of ARGV unless the field already has a location (it may be ''). */
const fillScript = `for i = 1, #ARGV, 2 do
  local v = redis.call('hget', KEYS[1], ARGV[i])
  if not v or v == '' then redis.call('hset', KEYS[1], ARGV[i], ARGV[i + 1]) end
end`;

interface BucketCommands {
  sluiceContentMark(key: string, ...hashes: string[]): Promise<unknown>;
  sluiceContentFill(key: string, ...pairs: string[]): Promise<unknown>;
}

/**
 * Every content hash the version store holds, spread over 65,536 Redis hashes by its first four
 * hex digits (RedisKeys.contentBucket): field = content hash, value = where its bytes are packed
 * ("pack offset length [size]", PackIndex) or '' for a version stored as an object of its own.
 * One key per bucket, each its own hash tag, so a cluster spreads them over every master; ten
 * million hashes make about 150 a bucket, which Redis keeps as a listpack (with
 * hash-max-listpack-entries 512) at a fraction of the bytes of one big set and one big hash.
 * A call touching many hashes sends one command per bucket, all at once (never one multi-key
 * command: the buckets sit in different slots).
 */
export class ContentBuckets {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    if (!('sluiceContentMark' in redis)) {
      redis.defineCommand('sluiceContentMark', { numberOfKeys: 1, lua: markScript });
      redis.defineCommand('sluiceContentFill', { numberOfKeys: 1, lua: fillScript });
    }
  }

  private get commands(): BucketCommands {
    return this.redis as unknown as BucketCommands;
  }

  /** Each hash's value (a location, or '' for stored loose), null where it is unknown; in order. */
  async read(hashes: readonly string[]): Promise<Array<string | null>> {
    const values: Array<string | null> = new Array<string | null>(hashes.length).fill(null);
    await Promise.all(
      [...this.byBucket(hashes)].map(async ([key, at]) => {
        const found = await this.redis.hmget(key, ...at.map((i) => hashes[i]!));
        found.forEach((value, j) => (values[at[j]!] = value));
      }),
    );
    return values;
  }

  /** Notes hashes as stored; a location already recorded for one stays. */
  async markStored(hashes: readonly string[]): Promise<void> {
    await Promise.all(
      [...this.byBucket(hashes)].map(([key, at]) => this.commands.sluiceContentMark(key, ...at.map((i) => hashes[i]!))),
    );
  }

  /**
   * Records locations: with `overwrite` (a pack just made durable) over any earlier one, else only
   * where none is known yet (a rebuild or a migration must not replace a newer location).
   */
  async setLocations(locations: ReadonlyArray<readonly [string, string]>, overwrite: boolean): Promise<void> {
    const hashes = locations.map(([hash]) => hash);
    await Promise.all(
      [...this.byBucket(hashes)].map(([key, at]) => {
        if (overwrite) return this.redis.hset(key, Object.fromEntries(at.map((i) => locations[i]!)));
        return this.commands.sluiceContentFill(key, ...at.flatMap((i) => locations[i]!));
      }),
    );
  }

  /** Indexes of `hashes` by the key of their bucket. */
  private byBucket(hashes: readonly string[]): Map<string, number[]> {
    const buckets = new Map<string, number[]>();
    hashes.forEach((hash, i) => {
      const key = this.keys.contentBucket(hash);
      const at = buckets.get(key);
      if (at === undefined) buckets.set(key, [i]);
      else at.push(i);
    });
    return buckets;
  }
}
