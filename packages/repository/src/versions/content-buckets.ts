import type { RedisClient } from '../redis/redis-client.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import { luaCommands, type LuaCommands } from '../redis/lua-commands.js';

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
  private readonly lua: LuaCommands;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    this.lua = luaCommands(redis);
  }

  /** Each hash's value (a location, or '' for stored loose), null where it is unknown; in order. */
  async read(hashes: readonly string[]): Promise<Array<string | null>> {
    const values: Array<string | null> = new Array<string | null>(hashes.length).fill(null);
    await Promise.all(
      [...this.byBucket(hashes)].map(async ([key, at]) => {
        // hmget's typing takes fields spread, which fails past ~120,000; call takes them as an array
        const found = (await this.redis.call('hmget', [key, ...at.map((i) => hashes[i]!)])) as Array<string | null>;
        found.forEach((value, j) => (values[at[j]!] = value));
      }),
    );
    return values;
  }

  /** Notes hashes as stored; a location already recorded for one stays. */
  async markStored(hashes: readonly string[]): Promise<void> {
    await Promise.all(
      [...this.byBucket(hashes)].map(([key, at]) =>
        this.lua.contentMark(
          [key],
          at.map((i) => hashes[i]!),
        ),
      ),
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
        return this.lua.contentFill(
          [key],
          at.flatMap((i) => locations[i]!),
        );
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
