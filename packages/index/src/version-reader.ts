import { Readable } from 'node:stream';
import { errorCodeOf, SluiceError } from '@sluice/core';
import { packKey, readExact, versionKey, type BlobStore } from '@sluice/storage';
import type { PackIndex } from './pack-index.js';

/** After a miss, the packs' own indexes are read back at most this often per process. */
const rebuildEveryMs = 60_000;

/**
 * Reads versions wherever they are stored: a range of a pack (located through the PackIndex) or
 * a loose object of their own (large content, and everything stored before packs). A version in
 * neither place sends it to the packs' own indexes once, in case Redis lost its locations.
 */
export class VersionReader {
  private lastRebuild = 0;
  private rebuilding: Promise<unknown> | null = null;

  constructor(private readonly store: BlobStore, private readonly packs: PackIndex) {}

  /** The version's bytes as a stream; `resource_not_found` when it is stored nowhere. */
  async open(hash: string): Promise<Readable> {
    const where = await this.locate(hash);
    if (where === null) throw new SluiceError('resource_not_found', `version ${hash} is not stored`);
    return where.read(0, where.size);
  }

  /** The version's size and its first `headBytes` bytes (what typing it needs), or null when it is stored nowhere. */
  async describe(hash: string, headBytes: number): Promise<{ size: number; head: Buffer } | null> {
    const where = await this.locate(hash);
    if (where === null) return null;
    const length = Math.min(where.size, headBytes);
    return { size: where.size, head: length === 0 ? Buffer.alloc(0) : await readExact(await where.read(0, length)) };
  }

  private async locate(hash: string, again = true): Promise<{ size: number; read: (offset: number, length: number) => Promise<Readable> } | null> {
    const packed = (await this.packs.locate([hash])).get(hash);
    if (packed) {
      return {
        size: packed.length,
        read: async (offset, length) => (length === 0 ? Readable.from([]) : this.store.getRange(packKey(packed.pack), packed.offset + offset, length)),
      };
    }
    const loose = await this.store.stat(versionKey(hash));
    if (loose) {
      return {
        size: loose.size,
        read: async (offset, length) => (offset === 0 && length === loose.size ? this.store.get(versionKey(hash)) : this.store.getRange(versionKey(hash), offset, length)),
      };
    }
    if (!again || !(await this.rebuildOnce())) return null;
    return this.locate(hash, false);
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
