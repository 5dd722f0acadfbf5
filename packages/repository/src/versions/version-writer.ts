import { errorCodeOf, mapLimit } from '@sluice/core';
import { encodePack, packKey, streamedPackId, versionKey, type BlobStore } from '@sluice/storage';
import type { PackIndex } from './pack-index.js';

/** A pack stops growing past this: reads stay range reads of one object, a lost pack stays bounded. */
const packMaxBytes = 64 * 1024 * 1024;
const looseWritesInFlight = 16;

export interface VersionWrites {
  packs: number;
  /**
   * Versions written as objects of their own: the caller marks these stored. A packed version's
   * recorded location already says it is stored, so marking it too would only cost Redis a command.
   */
  loose: string[];
}

/** A new version: its content, and the gzip member it arrived as, when it did. */
export interface NewVersion {
  hash: string;
  bytes: Uint8Array;
  gzip?: Uint8Array | undefined;
}

/** A version streamed into a pending object (stream-part.ts), gzipped as sent when `gzipLength` is set. */
export interface StreamedVersion {
  hash: string;
  size: number;
  pendingKey: string;
  gzipLength?: number;
}

/** A packed entry is kept as sent when that saves at least this share of its bytes. */
const keepGzipBelow = 0.9;

/**
 * What a pack holds of a version: the gzip member it came in when that is clearly smaller (fewer
 * bytes to write and to keep; a read inflates it again), else its content.
 */
function packed(version: NewVersion): { hash: string; bytes: Uint8Array; size?: number } {
  const { hash, bytes, gzip } = version;
  if (gzip !== undefined && gzip.byteLength < bytes.byteLength * keepGzipBelow)
    return { hash, bytes: gzip, size: bytes.byteLength };
  return { hash, bytes };
}

/**
 * Writes new versions durably: those below `packBelowBytes` together in packs (one write, one
 * fsync or PUT, per pack, then their locations; kept gzipped as sent where that is smaller),
 * larger ones one object each. When `write`
 * returns, every version survives a power cut and can be read; the caller then marks the loose ones stored.
 */
export class VersionWriter {
  constructor(
    private readonly store: BlobStore,
    private readonly packs: PackIndex,
    private readonly packBelowBytes: number,
  ) {}

  async write(versions: readonly NewVersion[]): Promise<VersionWrites> {
    const small = versions.filter((v) => v.bytes.byteLength < this.packBelowBytes).map(packed);
    const large = versions.filter((v) => v.bytes.byteLength >= this.packBelowBytes);
    const groups = packGroups(small);
    await Promise.all([
      mapLimit(groups, 4, async (group) => {
        const pack = encodePack(group);
        await this.packs.begin(pack.id);
        await this.store.put(packKey(pack.id), pack.chunks);
        await this.packs.record(pack.id, pack.entries);
      }),
      mapLimit(large, looseWritesInFlight, (v) =>
        this.store.put(versionKey(v.hash), Buffer.from(v.bytes.buffer, v.bytes.byteOffset, v.bytes.byteLength)),
      ),
    ]);
    return { packs: groups.length, loose: large.map((v) => v.hash) };
  }

  /**
   * Makes a streamed version the stored one: its pending object becomes the version's own object,
   * or, when it holds the gzip member as sent, a pack of one entry (noted unrecorded first, like
   * any pack, so the sweeper reclaims it if this never finishes).
   */
  async adoptStreamed(version: StreamedVersion): Promise<void> {
    const { hash, size, pendingKey, gzipLength } = version;
    if (gzipLength === undefined) return this.moveOnce(pendingKey, versionKey(hash));
    const id = streamedPackId(hash, pendingKey);
    await this.packs.begin(id);
    await this.moveOnce(pendingKey, packKey(id));
    await this.packs.record(id, [{ hash, offset: 0, length: gzipLength, size }]);
  }

  /** A move that a retried job whose first attempt made it already finds done. */
  private async moveOnce(from: string, to: string): Promise<void> {
    await this.store.move(from, to).catch(async (error: unknown) => {
      if (errorCodeOf(error) !== 'resource_not_found' || (await this.store.stat(to)) === null) throw error;
    });
  }
}

function packGroups<T extends { bytes: Uint8Array }>(versions: readonly T[]): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const version of versions) {
    if (group.length > 0 && bytes + version.bytes.byteLength > packMaxBytes) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(version);
    bytes += version.bytes.byteLength;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
