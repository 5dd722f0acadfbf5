import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { DataType, StagedEntry } from '@sluice/core';
import type { TreeChange, TreeChangeAt } from './object-store.js';
import type { RedisClient } from '../redis/redis-client.js';
import { decodeStagedEntry, encodeStagedEntry } from '../workspaces/staged-entry-codec.js';

/** Staged entries sorted in memory at once; more are sorted in runs of this size on disk. */
const defaultSortRunEntries = 100_000;

/** Entries handed on at a time when the snapshot is read back. */
const batchEntries = 1024;

export interface SortedSnapshotOptions {
  /** Entries per sorted run (default defaultSortRunEntries): what the sort holds in memory. */
  runEntries?: number;
  /** Where runs are written (default the system's temporary directory, $TMPDIR). */
  tmpDir?: string;
}

/*
 * An entry is one string, `path NUL value`, the value as the staging hash keeps it (see
 * staged-entry-codec.ts). No path holds a NUL, so these strings sort in path order with the
 * engine's own string sort, no comparator called, and a run on disk is one escaped key a line.
 */
const toKey = (path: string, value: string): string =>
  `${path}\0${value.startsWith('{') ? encodeStagedEntry(decodeStagedEntry(value)) : value}`;

const escapeLine = (key: string) => (/[\\\n]/.test(key) ? key.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : key);
const unescapeLine = (line: string) =>
  line.includes('\\') ? line.replace(/\\[\\n]/g, (c) => (c === '\\n' ? '\n' : '\\')) : line;

/** An entry encodeStagedEntry kept as JSON (a field with a tab), which the tab split would mangle. */
function jsonEntry(key: string, nul: number): StagedEntry | null {
  return key.charCodeAt(nul + 1) === 123 /* { */ ? decodeStagedEntry(key.slice(nul + 1)) : null;
}

function decodeKey(key: string): TreeChangeAt {
  const nul = key.indexOf('\0');
  const path = key.slice(0, nul);
  const json = jsonEntry(key, nul);
  if (json !== null) {
    const { status, hash, size, mimeType, dataType } = json;
    return [path, status === 'removed' ? null : { hash, size, mimeType, dataType }];
  }
  if (key.charCodeAt(nul + 1) === 114 /* r: a removal */) return [path, null];
  const [, hash, size, mimeType, dataType] = key.slice(nul + 1).split('\t');
  const change: TreeChange = { hash: hash!, size: Number(size), mimeType: mimeType!, dataType: dataType as DataType };
  return [path, change];
}

/** The bytes a key's entry counts in usage: its size, none for a removal. */
function stagedBytes(key: string): number {
  const nul = key.indexOf('\0');
  const json = jsonEntry(key, nul);
  if (json !== null) return json.status === 'removed' ? 0 : json.size;
  if (key.charCodeAt(nul + 1) === 114) return 0;
  const sizeAt = key.indexOf('\t', nul + 3) + 1;
  return Number(key.slice(sizeAt, key.indexOf('\t', sizeAt)));
}

/**
 * A commit's stage snapshot sorted by path, for buildTree, without holding it in Redis or in
 * memory: the hash is read with HSCAN, sorted in runs of `runEntries` entries, runs past the
 * first written to temporary files, and read back merged. A snapshot of one run stays in memory.
 * It sums what the snapshot counts in the workspace's usage as it reads (see redis/usage.lua).
 * Iterable any number of times (a commit re-reads it when the branch moved); close() removes
 * the runs.
 */
export class SortedSnapshot {
  private constructor(
    readonly files: number,
    readonly bytes: number,
    private readonly memory: string[] | null,
    private readonly dir: string | null,
    private readonly runs: readonly string[],
  ) {}

  static async read(redis: RedisClient, key: string, options: SortedSnapshotOptions = {}): Promise<SortedSnapshot> {
    const runEntries = options.runEntries ?? defaultSortRunEntries;
    let files = 0;
    let bytes = 0;
    let keys: string[] = [];
    let dir: string | null = null;
    const runs: string[] = [];
    const spill = async () => {
      dir ??= await mkdtemp(join(options.tmpDir ?? tmpdir(), 'sluice-commit-'));
      keys.sort();
      const file = join(dir, `run${runs.length}`);
      runs.push(file);
      const handle = await open(file, 'w');
      try {
        // written in slices so the run's text is never one string of its own
        for (let i = 0; i < keys.length; i += 4096) {
          await handle.write(
            `${keys
              .slice(i, i + 4096)
              .map(escapeLine)
              .join('\n')}\n`,
          );
        }
      } finally {
        await handle.close();
      }
      keys = [];
    };
    try {
      for await (const batch of redis.hscanStream(key, { count: 2000 })) {
        const flat = batch as string[];
        for (let i = 0; i < flat.length; i += 2) {
          const entry = toKey(flat[i]!, flat[i + 1]!);
          files += 1;
          bytes += stagedBytes(entry);
          keys.push(entry);
        }
        if (keys.length >= runEntries) await spill();
      }
      if (runs.length === 0) return new SortedSnapshot(files, bytes, keys.sort(), null, []);
      if (keys.length > 0) await spill();
      return new SortedSnapshot(files, bytes, null, dir, runs);
    } catch (error) {
      if (dir !== null) await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The entries in path order (a removal as null). */
  async *changes(): AsyncIterable<TreeChangeAt> {
    for await (const batch of this.batches()) yield* batch;
  }

  /**
   * The entries in path order, a batch at a time: one await per batch rather than per entry, which
   * at ten million entries is most of what reading them back costs.
   */
  async *batches(): AsyncIterable<TreeChangeAt[]> {
    if (this.memory !== null) {
      for (let i = 0; i < this.memory.length; i += batchEntries)
        yield this.memory.slice(i, i + batchEntries).map(decodeKey);
      return;
    }
    for await (const keys of mergeRuns(this.runs)) yield keys.map(decodeKey);
  }

  async *paths(): AsyncIterable<string> {
    for await (const batch of this.batches()) for (const [path] of batch) yield path;
  }

  async close(): Promise<void> {
    if (this.dir !== null) await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * One sorted run being read, 64 KiB at a time as its keys are asked for: a key is at hand without
 * an await until the buffer runs out (readline's async iterator queues lines ahead of its reader,
 * and a merge of ten runs held all of them).
 */
class RunReader {
  private lines: string[] = [];
  private next = 0;
  private carry = '';
  private ended = false;
  private readonly decoder = new StringDecoder('utf8');
  private readonly chunk = Buffer.allocUnsafe(64 * 1024);

  private constructor(private readonly handle: FileHandle) {}

  static async open(file: string): Promise<RunReader> {
    return new RunReader(await open(file, 'r'));
  }

  /** The run's next key, or null at its end; a promise only when the buffer had to be refilled. */
  read(): string | null | Promise<string | null> {
    if (this.next < this.lines.length) return unescapeLine(this.lines[this.next++]!);
    if (this.ended) return null;
    return this.refill().then(() => this.read());
  }

  private async refill(): Promise<void> {
    const { bytesRead } = await this.handle.read(this.chunk, 0, this.chunk.length, null);
    const text =
      this.carry + (bytesRead === 0 ? this.decoder.end() : this.decoder.write(this.chunk.subarray(0, bytesRead)));
    this.lines = text.split('\n');
    this.next = 0;
    // the last piece is a line's start (or, at the end, the empty string after the last newline)
    this.carry = this.lines.pop()!;
    this.ended = bytesRead === 0;
    if (this.ended && this.carry !== '') this.lines.push(this.carry);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** A k-way merge of sorted runs through a binary heap of each run's next key, in batches. */
async function* mergeRuns(files: readonly string[]): AsyncIterable<string[]> {
  const readers: RunReader[] = [];
  try {
    for (const file of files) readers.push(await RunReader.open(file));
    const heap: Array<{ key: string; reader: RunReader }> = [];
    const down = (start: number) => {
      for (let i = start; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l]!.key < heap[m]!.key) m = l;
        if (r < heap.length && heap[r]!.key < heap[m]!.key) m = r;
        if (m === i) return;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    };
    for (const reader of readers) {
      const key = await reader.read();
      if (key !== null) heap.push({ key, reader });
    }
    for (let i = Math.floor(heap.length / 2) - 1; i >= 0; i--) down(i);
    let batch: string[] = [];
    while (heap.length > 0) {
      const top = heap[0]!;
      batch.push(top.key);
      const read = top.reader.read();
      const key = typeof read === 'string' || read === null ? read : await read;
      if (key !== null) top.key = key;
      else {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
      }
      down(0);
      if (batch.length === batchEntries) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    await Promise.all(readers.map((reader) => reader.close().catch(() => undefined)));
  }
}
