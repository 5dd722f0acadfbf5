import { createHash } from 'node:crypto';
import { SluiceError } from '@sluice/core';
import type { BlobStore } from './blob-store.js';
import { packKey } from './blob-keys.js';
import { readExact } from './read-exact.js';

/** Where one version sits in a pack. */
export interface PackEntry {
  hash: string;
  offset: number;
  length: number;
  /** Set when the entry's bytes are kept gzipped as the client sent them: the size they inflate to. */
  size?: number;
}

/** `SLPK` then the index's length (uint32, big-endian): the last 8 bytes of every pack. */
const magic = Buffer.from('SLPK');
const trailerBytes = 8;

/**
 * A pack: the versions' bytes one after another, then their index as JSON
 * (`[[hash, offset, length], …]`, with a fourth number, the inflated size, for an entry kept
 * gzipped), then the trailer. The index travels inside the pack so that
 * the pack alone says what it holds: the Redis index of locations can be rebuilt from the packs
 * (after Redis lost its last second, say) and a sweeper can tell an orphan from a pack in use.
 *
 * The id is a digest of the hashes in order, so a retried job that packs the same contents
 * writes the same object again instead of a second copy; different contents get another id.
 */
export function encodePack(versions: ReadonlyArray<{ hash: string; bytes: Uint8Array; size?: number | undefined }>): {
  id: string;
  chunks: Buffer[];
  entries: PackEntry[];
} {
  const entries: PackEntry[] = [];
  const chunks: Buffer[] = [];
  const id = createHash('sha256');
  let offset = 0;
  for (const { hash, bytes, size } of versions) {
    entries.push({ hash, offset, length: bytes.byteLength, ...(size === undefined ? {} : { size }) });
    chunks.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    id.update(`${hash}\n`);
    offset += bytes.byteLength;
  }
  chunks.push(...packTail(entries));
  return { id: id.digest('hex').slice(0, 40), chunks, entries };
}

/** What follows a pack's entries: its index and the trailer. */
export function packTail(entries: readonly PackEntry[]): Buffer[] {
  const index = Buffer.from(
    JSON.stringify(
      entries.map((e) => (e.size === undefined ? [e.hash, e.offset, e.length] : [e.hash, e.offset, e.length, e.size])),
    ),
  );
  const trailer = Buffer.alloc(trailerBytes);
  magic.copy(trailer, 0);
  trailer.writeUInt32BE(index.length, 4);
  return [index, trailer];
}

/**
 * The id of a pack holding one large version kept gzipped as it was streamed into `pendingKey`.
 * Two uploads of the same content may send different gzip members, so the id names the upload
 * too: a pack is never replaced by one with other bytes while Redis locates entries in it, and a
 * retried job (same pending key, same spooled bytes) writes the same object again.
 */
export function streamedPackId(hash: string, pendingKey: string): string {
  return createHash('sha256').update(`${hash}\n${pendingKey}\n`).digest('hex').slice(0, 40);
}

/** The entries a stored pack holds, read from its own index (two range reads). */
export async function readPackIndex(store: BlobStore, id: string, size: number): Promise<PackEntry[]> {
  const key = packKey(id);
  const corrupt = (why: string) => new SluiceError('internal', `pack ${id} is not a readable pack: ${why}`);
  if (size < trailerBytes) throw corrupt('shorter than its trailer');
  const trailer = await readExact(await store.getRange(key, size - trailerBytes, trailerBytes));
  if (!trailer.subarray(0, 4).equals(magic)) throw corrupt('no trailer');
  const length = trailer.readUInt32BE(4);
  if (length > size - trailerBytes) throw corrupt('index longer than the pack');
  const index = await readExact(await store.getRange(key, size - trailerBytes - length, length));
  const rows = JSON.parse(index.toString('utf8')) as Array<[string, number, number, number?]>;
  return rows.map(([hash, offset, len, inflated]) => ({
    hash,
    offset,
    length: len,
    ...(inflated === undefined ? {} : { size: inflated }),
  }));
}
