import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGunzip, gunzip, gunzipSync } from 'node:zlib';
import { errorCodeOf, mapLimit, SluiceError } from '@sluice/core';
import { packKey, readExact, versionKey, type BlobStore } from '@sluice/storage';
import type { PackedLocation, PackIndex } from './pack-index.js';
import { readInStoreOrder, type Fetched, type StoreOrderOptions, type Wanted } from './store-order-reader.js';

const gunzipAsync = promisify(gunzip);

/** After a miss, the packs' own indexes are read back at most this often per process. */
const rebuildEveryMs = 60_000;
/** A gzipped entry inflating to more than this is inflated as it is sent, not whole in memory. */
const inflateWholeMaxBytes = 16 * 1024 * 1024;
/**
 * Inflated bytes per gunzip call when streaming: each call is a trip to libuv's pool and a write
 * to the socket, so zlib's 16 KiB default made large reads several times slower (bench/README.md).
 */
const inflateSliceBytes = 1024 * 1024;
/** Room past a small entry's size, so that zlib sees the stream's end within the one buffer. */
const minInflateChunk = 1024;
/** Entries inflating to at most this are inflated on the event loop (bench/README.md). */
const inflateOnLoopMaxBytes = 256 * 1024;

/** A version's size and first bytes (what typing it needs). */
export interface VersionHead {
  size: number;
  head: Buffer;
}

/**
 * Reads versions wherever they are stored: a range of a pack (located through the PackIndex:
 * small content, and large content kept gzipped as sent, one entry to its pack) or an object of
 * their own (large content sent plain, and everything stored before packs). A version in
 * neither place sends it to the packs' own indexes once, in case Redis lost its locations.
 */
export class VersionReader {
  private lastRebuild = 0;
  private rebuilding: Promise<unknown> | null = null;

  constructor(
    private readonly store: BlobStore,
    private readonly packs: PackIndex,
  ) {}

  /**
   * The version's bytes as a stream: one Redis lookup, then one read; `resource_not_found` when it is stored nowhere.
   */
  async open(hash: string): Promise<Readable> {
    for (let first = true; ; first = false) {
      const packed = (await this.packs.locate([hash])).get(hash);
      if (packed) return this.readPacked(packed);
      try {
        return await this.store.get(versionKey(hash));
      } catch (error) {
        if (errorCodeOf(error) !== 'resource_not_found') throw error;
      }
      if (!first || !(await this.rebuildOnce()))
        throw new SluiceError('resource_not_found', `version ${hash} is not stored`);
    }
  }

  /**
   * `length` bytes of the version from `start` (fewer past its end): a range read of its object
   * or pack entry; content kept gzipped is inflated from its start and the bytes before `start`
   * dropped, so memory stays bounded whatever the range. `resource_not_found` as `open`.
   */
  async openRange(hash: string, start: number, length: number): Promise<Readable> {
    const packed = (await this.packs.locate([hash])).get(hash);
    if (packed?.size === undefined && packed !== undefined) {
      const from = Math.min(start, packed.length);
      return this.range(packKey(packed.pack), packed.offset + from, Math.min(length, packed.length - from));
    }
    if (packed === undefined) {
      const loose = await this.store.stat(versionKey(hash));
      if (loose !== null) {
        const from = Math.min(start, loose.size);
        return this.range(versionKey(hash), from, Math.min(length, loose.size - from));
      }
    }
    return Readable.from(sliceOf(await this.open(hash), start, length), { objectMode: false });
  }

  /**
   * Many versions' bytes in the order given, packed ones read a window at a time in store order
   * (see readInStoreOrder); those it leaves out (`bytes: null`) are for `open`.
   */
  inStoreOrder<T extends Wanted>(items: AsyncIterable<T>, options?: StoreOrderOptions): AsyncGenerator<Fetched<T>> {
    return readInStoreOrder(this.store, this.packs, items, options);
  }

  /** The size of each version (null where it is stored nowhere), reading no content. */
  async sizes(hashes: readonly string[]): Promise<Map<string, number | null>> {
    const located = await this.packs.locate(hashes);
    const sizes = new Map<string, number | null>();
    const missing: string[] = [];
    await mapLimit(hashes, 16, async (hash) => {
      const packed = located.get(hash);
      if (packed) return void sizes.set(hash, packed.size ?? packed.length);
      const loose = await this.store.stat(versionKey(hash));
      if (loose === null) return void missing.push(hash);
      sizes.set(hash, loose.size);
    });
    // stored nowhere: once more after reading the packs' indexes back, in case Redis lost them
    if (missing.length > 0 && (await this.rebuildOnce())) {
      for (const [hash, size] of await this.sizes(missing)) sizes.set(hash, size);
    } else {
      for (const hash of missing) sizes.set(hash, null);
    }
    return sizes;
  }

  /**
   * Size and first `headBytes` bytes of each version (null where it is stored nowhere), with one Redis lookup for all.
   */
  async describeAll(hashes: readonly string[], headBytes: number): Promise<Map<string, VersionHead | null>> {
    const located = await this.packs.locate(hashes);
    const described = new Map<string, VersionHead | null>();
    const missing: string[] = [];
    await mapLimit(hashes, 16, async (hash) => {
      const packed = located.get(hash);
      if (packed)
        return void described.set(hash, {
          size: packed.size ?? packed.length,
          head: await readHead(await this.readPacked(packed, headBytes), headBytes),
        });
      const loose = await this.store.stat(versionKey(hash));
      if (loose === null) return void missing.push(hash);
      described.set(hash, {
        size: loose.size,
        head: await readExact(await this.range(versionKey(hash), 0, Math.min(loose.size, headBytes))),
      });
    });
    // stored nowhere: once more after reading the packs' indexes back, in case Redis lost them
    if (missing.length > 0 && (await this.rebuildOnce())) {
      for (const [hash, head] of await this.describeAll(missing, headBytes)) described.set(hash, head);
    } else {
      for (const hash of missing) described.set(hash, null);
    }
    return described;
  }

  /** A packed version's content (its first `upTo` bytes or more), inflated if it is kept gzipped. */
  private async readPacked(packed: PackedLocation, upTo = Infinity): Promise<Readable> {
    if (packed.size === undefined)
      return this.range(packKey(packed.pack), packed.offset, Math.min(packed.length, upTo));
    const gzipped = await this.range(packKey(packed.pack), packed.offset, packed.length);
    if (packed.size > inflateWholeMaxBytes) {
      // a large streamed part kept as sent: inflated while it is read (the reader destroying the
      // result stops the read of the pack too)
      const inflated = createGunzip({ chunkSize: inflateSliceBytes });
      pipeline(gzipped, inflated).catch(() => undefined); // an error reaches the reader through `inflated`
      return inflated;
    }
    // A smaller one is read whole and inflated into one buffer of its known size (zlib's 16 KiB
    // slices cost several trips to libuv's pool per file); up to inflateOnLoopMaxBytes on the
    // event loop, where it costs less than a trip to the pool, past it in the pool
    // (bench/README.md). The ingest inflated it once already, so a failure here is damage, not input.
    const options = { chunkSize: packed.size + minInflateChunk };
    const member = await readExact(gzipped);
    const inflated =
      packed.size <= inflateOnLoopMaxBytes ? gunzipSync(member, options) : await gunzipAsync(member, options);
    return Readable.from([inflated], { objectMode: false });
  }

  private async range(key: string, offset: number, length: number): Promise<Readable> {
    return length === 0 ? Readable.from([]) : this.store.getRange(key, offset, length);
  }

  /** Reads the packs' indexes back into Redis unless that was done within the last minute; true if it ran. */
  private async rebuildOnce(): Promise<boolean> {
    if (this.rebuilding === null && Date.now() - this.lastRebuild < rebuildEveryMs) return false;
    if (this.rebuilding === null) {
      this.lastRebuild = Date.now();
      this.rebuilding = this.packs.rebuild(this.store).finally(() => (this.rebuilding = null));
    }
    await this.rebuilding.catch((error: unknown) => {
      if (errorCodeOf(error) === 'resource_not_found') return;
      throw error;
    });
    return true;
  }
}

/** The first `bytes` bytes of a stream (fewer if it ends first); the rest is not read. */
async function readHead(stream: Readable, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    length += chunk.length;
    if (length >= bytes) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, bytes);
}

/**
 * The bytes from `start` to `start + length` of a stream; leaving the loop destroys the source,
 * and destroying the result ends the loop (so the source) too.
 */
async function* sliceOf(source: Readable, start: number, length: number): AsyncGenerator<Buffer> {
  let seen = 0;
  const end = start + length;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    const from = Math.max(start - seen, 0);
    const to = Math.min(end - seen, chunk.length);
    seen += chunk.length;
    if (to > from) yield chunk.subarray(from, to);
    if (seen >= end) return;
  }
}
