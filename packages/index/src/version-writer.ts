import { mapLimit } from '@sluice/core';
import { encodePack, packKey, versionKey, type BlobStore } from '@sluice/storage';
import type { PackIndex } from './pack-index.js';

/** A pack stops growing past this: reads stay range reads of one object, a lost pack stays bounded. */
export const packMaxBytes = 64 * 1024 * 1024;
const looseWritesInFlight = 16;

export interface VersionWrites {
  packs: number;
  loose: number;
}

/**
 * Writes new versions durably: those below `packBelowBytes` together in packs (one write, one
 * fsync or PUT, per pack, then their locations), larger ones one object each. When `write`
 * returns, every version survives a power cut and can be read; the caller then marks them stored.
 */
export class VersionWriter {
  constructor(private readonly store: BlobStore, private readonly packs: PackIndex, private readonly packBelowBytes: number) {}

  async write(versions: ReadonlyArray<{ hash: string; bytes: Uint8Array }>): Promise<VersionWrites> {
    const small = versions.filter((v) => v.bytes.byteLength < this.packBelowBytes);
    const large = versions.filter((v) => v.bytes.byteLength >= this.packBelowBytes);
    const groups = packGroups(small);
    await Promise.all([
      mapLimit(groups, 4, async (group) => {
        const pack = encodePack(group);
        await this.packs.begin(pack.id);
        await this.store.put(packKey(pack.id), pack.chunks);
        await this.packs.record(pack.id, pack.entries);
      }),
      mapLimit(large, looseWritesInFlight, (v) => this.store.put(versionKey(v.hash), Buffer.from(v.bytes.buffer, v.bytes.byteOffset, v.bytes.byteLength))),
    ]);
    return { packs: groups.length, loose: large.length };
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
