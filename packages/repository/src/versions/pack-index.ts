import { packKey, packPrefix, readPackIndex, type BlobStore, type PackEntry } from '@sluice/storage';
import { ContentBuckets } from './content-buckets.js';
import type { LegacyContent } from './legacy-content.js';
import type { RedisClient } from '../redis/redis-client.js';
import type { RedisKeys } from '../redis/redis-keys.js';

/** Where a packed version's bytes are. */
export interface PackedLocation {
  pack: string;
  offset: number;
  length: number;
  /** Set when the bytes are kept gzipped: the size they inflate to. */
  size?: number;
}

/** A location as Redis keeps it: "pack offset length", then the inflated size for a gzipped entry. */
function locationValue(pack: string, entry: PackEntry): string {
  return `${pack} ${entry.offset} ${entry.length}${entry.size === undefined ? '' : ` ${entry.size}`}`;
}

/** A location from its locationValue; null for '' (a version stored as an object of its own). */
function parseLocation(value: string): PackedLocation | null {
  if (value === '') return null;
  const [pack, offset, length, size] = value.split(' ');
  const sized = size === undefined ? {} : { size: Number(size) };
  return { pack: pack!, offset: Number(offset), length: Number(length), ...sized };
}

/**
 * Which pack holds each packed version, in the content buckets (content-buckets.ts: hash →
 * locationValue): one command a bucket locates versions or records a pack. Any location
 * recorded is a durable pack holding those bytes, so a later pack holding the same content may
 * overwrite it. The packs carry their own index, so what Redis loses can be read back from them
 * (`rebuild`).
 */
export class PackIndex {
  private readonly buckets: ContentBuckets;

  /** `legacy`: the keys of an earlier layout, read until migrated (none in a new deployment). */
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly legacy?: LegacyContent,
  ) {
    this.buckets = new ContentBuckets(redis, keys);
  }

  async locate(hashes: readonly string[]): Promise<Map<string, PackedLocation>> {
    const found = new Map<string, PackedLocation>();
    if (hashes.length === 0) return found;
    const values = await this.buckets.read(hashes);
    const unknown: string[] = [];
    values.forEach((value, i) => {
      const location = value === null ? null : parseLocation(value);
      if (location !== null) found.set(hashes[i]!, location);
      else unknown.push(hashes[i]!);
    });
    if (this.legacy !== undefined && unknown.length > 0) {
      const legacy = await this.legacy.locations(unknown);
      legacy.forEach((value, i) => {
        const location = value === null ? null : parseLocation(value);
        if (location !== null) found.set(unknown[i]!, location);
      });
    }
    return found;
  }

  /** Notes a pack about to be written: until it is recorded, the sweeper may find it an orphan. */
  async begin(pack: string, now = Date.now()): Promise<void> {
    await this.redis.zadd(this.keys.packsUnrecorded(), now, pack);
  }

  /** Records a pack's entries; call only once the pack is durable in the store. */
  async record(pack: string, entries: readonly PackEntry[]): Promise<void> {
    await this.buckets.setLocations(
      entries.map((e) => [e.hash, locationValue(pack, e)] as const),
      true,
    );
    await this.redis.zrem(this.keys.packsUnrecorded(), pack);
  }

  /** Packs begun before `cutoff` and never recorded: their writer died, or is very slow. */
  async unrecorded(cutoff: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.packsUnrecorded(), '-inf', cutoff);
  }

  /** Whether a pack is still unrecorded since before `cutoff` (begun again since, it is not). */
  async stillUnrecorded(pack: string, cutoff: number): Promise<boolean> {
    const begun = await this.redis.zscore(this.keys.packsUnrecorded(), pack);
    return begun !== null && Number(begun) < cutoff;
  }

  /** Forgets a pack the sweeper settled (deleted, or found in use). */
  async settle(pack: string): Promise<void> {
    await this.redis.zrem(this.keys.packsUnrecorded(), pack);
  }

  /** Whether any of a pack's entries is still located in it (a pack none points at is an orphan). */
  async inUse(pack: string, entries: readonly PackEntry[]): Promise<boolean> {
    const located = await this.locate(entries.map((e) => e.hash));
    return [...located.values()].some((location) => location.pack === pack);
  }

  /**
   * Reads every pack's own index back into Redis, for versions Redis has no location for (after
   * it lost data): existing locations stay. Returns the versions recorded again.
   */
  async rebuild(store: BlobStore): Promise<string[]> {
    const recorded: string[] = [];
    for await (const info of store.list(packPrefix)) {
      const pack = info.key.slice(packKey('').length);
      const entries = await readPackIndex(store, pack, info.size);
      const known = await this.locate(entries.map((e) => e.hash));
      const lost = entries.filter((e) => !known.has(e.hash));
      if (lost.length === 0) continue;
      // a location marks the version stored too; one recorded meanwhile stays
      await this.buckets.setLocations(
        lost.map((e) => [e.hash, locationValue(pack, e)] as const),
        false,
      );
      for (const e of lost) recorded.push(e.hash);
    }
    return recorded;
  }
}
