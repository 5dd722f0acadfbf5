import { promisify } from 'node:util';
import { gunzip, gunzipSync } from 'node:zlib';
import { mapLimit, SluiceError } from '@sluice/core';
import { packKey, readExact, type BlobStore } from '@sluice/storage';
import type { PackedLocation, PackIndex } from './pack-index.js';

const gunzipAsync = promisify(gunzip);

/** A version wanted: its hash and the size it reads to. */
export interface Wanted {
  hash: string;
  size: number;
}

/** A wanted version and its bytes, or null when it is not read in a batch (open it by itself). */
export interface Fetched<T extends Wanted> {
  item: T;
  bytes: Buffer | null;
}

export interface StoreOrderOptions {
  /** Versions looked up and read per window (one Redis lookup for all of them). */
  windowFiles?: number;
  /** Bytes of batched versions per window: what one window holds in memory, about. */
  windowBytes?: number;
  /** Versions of this size or more are left to be streamed one by one. */
  batchBelowBytes?: number;
  /** Neighbours of one pack at most this far apart are read in one range (the gap read and dropped). */
  gapBytes?: number;
  /** Longest single range read. */
  runBytes?: number;
  /** Range reads of one window in flight at once. */
  parallelReads?: number;
}

const defaults: Required<StoreOrderOptions> = {
  windowFiles: 2_000,
  windowBytes: 8 * 1024 * 1024,
  batchBelowBytes: 4 * 1024 * 1024,
  gapBytes: 64 * 1024,
  runBytes: 8 * 1024 * 1024,
  parallelReads: 4,
};

/**
 * Gzipped entries inflating to at most this are inflated on the event loop; larger ones in the
 * pool. Lower than VersionReader's 256 KiB: here a window's members are inflated together while
 * the loop is busy sending, so the pool's threads run beside it instead of taking turns.
 */
const inflateOnLoopMaxBytes = 16 * 1024;

/** One range read of a pack, and the entries it holds. */
interface Run {
  pack: string;
  start: number;
  end: number;
  members: Array<{ hash: string; location: PackedLocation }>;
}

/**
 * The items' bytes in the items' order, read from the packs in store order: a window of items at
 * a time is located with one Redis lookup, the packed ones grouped by pack and sorted by offset,
 * and each run of neighbouring entries read with one range read (not a request per file). The
 * next window is read while this one is consumed, so memory holds about two windows whatever the
 * number of items, and the items are pulled from their (lazy) source only as windows are read.
 * Versions not packed, and large ones, come with `bytes: null`, to be streamed by themselves.
 * Returning early (the reader went away) stops pulling items and reading.
 */
export async function* readInStoreOrder<T extends Wanted>(
  store: BlobStore,
  packs: PackIndex,
  items: AsyncIterable<T>,
  options: StoreOrderOptions = {},
): AsyncGenerator<Fetched<T>> {
  const settings = { ...defaults, ...options };
  const source = items[Symbol.asyncIterator]();
  let exhausted = false;
  let stopped = false;

  const nextWindow = async (): Promise<Array<Fetched<T>> | null> => {
    const window: T[] = [];
    let bytes = 0;
    while (!exhausted && !stopped && window.length < settings.windowFiles && bytes < settings.windowBytes) {
      const next = await source.next();
      if (next.done === true) {
        exhausted = true;
        break;
      }
      window.push(next.value);
      if (next.value.size < settings.batchBelowBytes) bytes += next.value.size;
    }
    if (window.length === 0 || stopped) return null;
    const contents = await readWindow(store, packs, window, settings, () => stopped);
    return window.map((item) => ({ item, bytes: contents.get(item.hash) ?? null }));
  };

  let pending = nextWindow();
  pending.catch(() => undefined); // awaited below; a failure of a window read ahead surfaces there
  try {
    for (;;) {
      const window = await pending;
      if (window === null) return;
      pending = nextWindow();
      pending.catch(() => undefined);
      yield* window;
    }
  } finally {
    stopped = true;
    await pending.catch(() => undefined);
    await source.return?.(undefined);
  }
}

/** The bytes of a window's packed, small versions, by hash: one range read per run of neighbours. */
async function readWindow(
  store: BlobStore,
  packs: PackIndex,
  window: readonly Wanted[],
  settings: Required<StoreOrderOptions>,
  stopped: () => boolean,
): Promise<Map<string, Buffer>> {
  const hashes = [...new Set(window.filter((item) => item.size < settings.batchBelowBytes).map((item) => item.hash))];
  const located = await packs.locate(hashes);
  const byPack = new Map<string, Array<{ hash: string; location: PackedLocation }>>();
  for (const [hash, location] of located) {
    if (location.length >= settings.batchBelowBytes) continue;
    const members = byPack.get(location.pack) ?? [];
    members.push({ hash, location });
    byPack.set(location.pack, members);
  }
  const runs: Run[] = [];
  for (const [pack, members] of byPack) {
    members.sort((a, b) => a.location.offset - b.location.offset);
    let run: Run | null = null;
    for (const member of members) {
      const { offset, length } = member.location;
      if (run === null || offset > run.end + settings.gapBytes || offset + length - run.start > settings.runBytes) {
        run = { pack, start: offset, end: offset + length, members: [] };
        runs.push(run);
      }
      run.end = Math.max(run.end, offset + length);
      run.members.push(member);
    }
  }
  const contents = new Map<string, Buffer>();
  await mapLimit(runs, settings.parallelReads, async (run) => {
    if (stopped()) return;
    const length = run.end - run.start;
    const bytes =
      length === 0 ? Buffer.alloc(0) : await readExact(await store.getRange(packKey(run.pack), run.start, length));
    if (bytes.length !== length) {
      const why = `pack ${run.pack} gave ${bytes.length} of ${length} bytes from ${run.start}`;
      throw new SluiceError('store_unavailable', why);
    }
    // members kept gzipped inflate at once in libuv's pool, beside the event loop that sends the
    // window before (the pool's threads bound how many run)
    await Promise.all(
      run.members.map(async ({ hash, location }) => {
        const from = location.offset - run.start;
        const raw = bytes.subarray(from, from + location.length);
        contents.set(hash, location.size === undefined ? raw : await inflated(raw, location.size));
      }),
    );
  });
  return contents;
}

/** A member kept gzipped, inflated into one buffer of its known size (see VersionReader.readPacked). */
async function inflated(member: Buffer, size: number): Promise<Buffer> {
  const options = { chunkSize: size + 1024 };
  return size <= inflateOnLoopMaxBytes ? gunzipSync(member, options) : gunzipAsync(member, options);
}
