import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { contentBucketKeys } from '../../../../test/support/content-buckets.js';
import { keySlot } from '../../../../test/support/key-slot.js';
import { LegacyContent } from './legacy-content.js';
import { PackIndex } from './pack-index.js';
import { connectRedis } from '../redis/redis-client.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { VersionIndex } from './version-index.js';

const hex = () => randomBytes(16).toString('hex');
/** A packed entry as a pack of small files records it (offsets of a few MiB, lengths of tens of KiB). */
const entry = (hash: string, i: number) => ({ hash, offset: i * 41_000, length: 41_000, size: 102_400 });

/** The content index in its buckets (VersionIndex, PackIndex, LegacyContent) on a real Redis. */
describe('content buckets', () => {
  const redis = connectRedis({ urls: inject('redisUrl').split(','), cluster: inject('redisCluster') });
  let prefixes = 0;
  const freshKeys = () => new RedisKeys(`buckets${process.pid}x${prefixes++}`);
  afterAll(() => redis.disconnect());

  it('spreads hashes over many hash tags, so a cluster puts them on every master', () => {
    const keys = freshKeys();
    const hashes = Array.from({ length: 1000 }, hex);
    const slots = new Set(hashes.map((hash) => keySlot(keys.contentBucket(hash))));
    // 1,000 random hashes fall in ~990 of 65,536 buckets, ~960 of 16,384 slots
    expect(slots.size).toBeGreaterThan(900);
    expect(keys.contentBucket('ABC')).toBe(keys.contentBucket('not-a-hash'));
  });

  it('keeps a hash in under half the bytes of the single set and hash it replaces', async () => {
    const keys = freshKeys();
    // 20,000 hashes over 256 buckets (~78 each): how ~5 million spread over all 65,536
    const hashes = Array.from({ length: 20_000 }, () => {
      const h = hex();
      return `${h.slice(0, 2)}00${h.slice(4)}`;
    });
    const entries = hashes.map(entry);
    await new VersionIndex(redis, keys).markStored(hashes);
    await new PackIndex(redis, keys).record(hex().slice(0, 40).padEnd(40, '0'), entries);
    const bucketKeys = await contentBucketKeys(redis, keys);
    expect(bucketKeys).toHaveLength(256);
    if (redis instanceof Cluster) {
      for (const node of redis.nodes('master')) {
        expect(await node.keys(keys.contentBucketPattern())).not.toHaveLength(0);
      }
    }
    let bucketed = 0;
    for (const key of bucketKeys) bucketed += Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));

    // the layout before: every hash a member of one set and a field of one hash
    const pack = hex().slice(0, 40).padEnd(40, '0');
    for (let i = 0; i < hashes.length; i += 5000) {
      const slice = entries.slice(i, i + 5000);
      await redis.sadd(keys.legacyVersions(), ...slice.map((e) => e.hash));
      const values = slice.map((e) => [e.hash, `${pack} ${e.offset} ${e.length} ${e.size}`]);
      await redis.hset(keys.legacyPacked(), Object.fromEntries(values));
    }
    const legacy =
      Number(await redis.call('MEMORY', 'USAGE', keys.legacyVersions(), 'SAMPLES', '0')) +
      Number(await redis.call('MEMORY', 'USAGE', keys.legacyPacked(), 'SAMPLES', '0'));
    const perHash = (bytes: number) => (bytes / hashes.length).toFixed(1);
    console.log(`content index per hash: ${perHash(bucketed)} B in buckets, ${perHash(legacy)} B before`);
    expect(bucketed).toBeLessThan(legacy * 0.5);
    await redis.del(keys.legacyVersions());
    await redis.del(keys.legacyPacked());
    for (const key of bucketKeys) await redis.del(key);
  });

  it('answers stored and located across buckets; a stored mark never hides a location', async () => {
    const keys = freshKeys();
    const versions = new VersionIndex(redis, keys);
    const packs = new PackIndex(redis, keys);
    const [loose, packed, unknown] = [hex(), hex(), hex()];
    const odd = 'NOT-A-HASH';
    await packs.record('p1', [entry(packed, 1)]);
    await versions.markStored([loose, packed, odd]);
    expect(await versions.missing([loose, packed, unknown, odd])).toEqual(new Set([unknown]));
    expect(await packs.locate([loose, packed, unknown])).toEqual(
      new Map([[packed, { pack: 'p1', offset: 41_000, length: 41_000, size: 102_400 }]]),
    );
    // a later pack of the same content takes over a loose version's entry and an earlier location
    await packs.record('p2', [
      { hash: loose, offset: 0, length: 5 },
      { hash: packed, offset: 9, length: 3 },
    ]);
    expect(await packs.locate([loose, packed])).toEqual(
      new Map([
        [loose, { pack: 'p2', offset: 0, length: 5 }],
        [packed, { pack: 'p2', offset: 9, length: 3 }],
      ]),
    );
  });

  it('reads the layout before buckets until migrated, then moves it, also with two processes at once', async () => {
    const keys = freshKeys();
    const [loose, packed, moved, fresh] = [hex(), hex(), hex(), hex()];
    const many = Array.from({ length: 2500 }, hex);
    // before the upgrade: versions in a set, locations in a hash (large enough to be scanned in several rounds)
    await redis.sadd(keys.legacyVersions(), loose, packed, moved, ...many);
    const manyLocations = Object.fromEntries(many.map((h, i) => [h, `pMany ${i} 1`]));
    await redis.hset(keys.legacyPacked(), { [packed]: 'pOld 0 10', [moved]: 'pOld 10 10', ...manyLocations });
    const legacy = new LegacyContent(redis, keys);
    const versions = new VersionIndex(redis, keys, legacy);
    const packs = new PackIndex(redis, keys, legacy);
    // after the upgrade, before the migration: a newer pack holds `moved`
    await packs.record('pNew', [{ hash: moved, offset: 0, length: 10 }]);
    expect(await new VersionIndex(redis, keys).missing([loose, packed])).toEqual(new Set([loose, packed]));
    expect(await versions.missing([loose, packed, moved, fresh, many[7]!])).toEqual(new Set([fresh]));
    expect(await packs.locate([loose, packed, moved])).toEqual(
      new Map([
        [packed, { pack: 'pOld', offset: 0, length: 10 }],
        [moved, { pack: 'pNew', offset: 0, length: 10 }],
      ]),
    );

    const counts = await Promise.all([legacy.migrate(), new LegacyContent(redis, keys).migrate()]);
    expect(counts[0]).toBeGreaterThan(0);
    expect(await redis.exists(keys.legacyVersions())).toBe(0);
    expect(await redis.exists(keys.legacyPacked())).toBe(0);
    // everything is in the buckets now: an index that never reads the legacy keys finds it all
    const located = await new PackIndex(redis, keys).locate([loose, packed, moved, ...many]);
    expect(located.get(packed)).toEqual({ pack: 'pOld', offset: 0, length: 10 });
    expect(located.get(moved)).toEqual({ pack: 'pNew', offset: 0, length: 10 });
    expect(located.has(loose)).toBe(false);
    expect(located.size).toBe(2 + many.length);
    const stored = new VersionIndex(redis, keys);
    expect(await stored.missing([loose, packed, moved, fresh, ...many])).toEqual(new Set([fresh]));
    // and a process that migrated stops reading them: a legacy key written again is ignored
    await redis.sadd(keys.legacyVersions(), fresh);
    expect(await versions.missing([fresh])).toEqual(new Set([fresh]));
    expect(await legacy.migrate()).toBe(0);
    await redis.del(keys.legacyVersions());
    for (const key of await contentBucketKeys(redis, keys)) await redis.del(key);
  });
});
