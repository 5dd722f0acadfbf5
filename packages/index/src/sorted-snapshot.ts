import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { DataType, StagedEntry } from '@sluice/core';
import type { TreeChange } from './object-store.js';
import type { RedisClient } from './redis-client.js';

/** Staged entries sorted in memory at once; more are sorted in runs of this size on disk. */
export const defaultSortRunEntries = 100_000;

export interface SortedSnapshotOptions {
  /** Entries per sorted run (default defaultSortRunEntries): what the sort holds in memory. */
  runEntries?: number;
  /** Where runs are written (default the system's temporary directory, $TMPDIR). */
  tmpDir?: string;
}

interface Line {
  path: string;
  /** The change, tab-separated: hash, size, mime type, data type; empty for a removal. */
  change: string;
}

const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n' };
const unescapes: Record<string, string> = { '\\\\': '\\', '\\t': '\t', '\\n': '\n' };
const escape = (s: string) => (/[\\\t\n]/.test(s) ? s.replace(/[\\\t\n]/g, (c) => escapes[c]!) : s);
const unescape = (s: string) => (s.includes('\\') ? s.replace(/\\[\\tn]/g, (c) => unescapes[c]!) : s);
const byPath = (a: Line, b: Line) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

function encodeChange(entry: StagedEntry): string {
  if (entry.status === 'removed') return '';
  return `${escape(entry.hash)}\t${entry.size}\t${escape(entry.mimeType)}\t${escape(entry.dataType)}`;
}

function decodeChange(change: string): TreeChange {
  if (change === '') return null;
  const [hash, size, mimeType, dataType] = change.split('\t');
  return {
    hash: unescape(hash!), size: Number(size), mimeType: unescape(mimeType!), dataType: unescape(dataType!) as DataType,
  };
}

/**
 * A commit's stage snapshot sorted by path, for buildTree, without holding it in Redis or in
 * memory: the hash is read with HSCAN, sorted in runs of `runEntries` entries, runs past the
 * first written to temporary files, and read back merged. A snapshot of one run stays in memory.
 * It sums what the snapshot counts in the workspace's usage as it reads (see usage-lua.ts).
 * Iterable any number of times (a commit re-reads it when the branch moved); close() removes
 * the runs.
 */
export class SortedSnapshot {
  private constructor(
    readonly files: number,
    readonly bytes: number,
    private readonly memory: Line[] | null,
    private readonly dir: string | null,
    private readonly runs: readonly string[],
  ) {}

  static async read(redis: RedisClient, key: string, options: SortedSnapshotOptions = {}): Promise<SortedSnapshot> {
    const runEntries = options.runEntries ?? defaultSortRunEntries;
    let files = 0;
    let bytes = 0;
    let lines: Line[] = [];
    let dir: string | null = null;
    const runs: string[] = [];
    const spill = async () => {
      dir ??= await mkdtemp(join(options.tmpDir ?? tmpdir(), 'sluice-commit-'));
      lines.sort(byPath);
      const file = join(dir, `run${runs.length}`);
      runs.push(file);
      const handle = await open(file, 'w');
      try {
        // written in slices so the run's text is never one string of its own
        for (let i = 0; i < lines.length; i += 4096) {
          await handle.write(lines.slice(i, i + 4096).map((line) => `${escape(line.path)}\t${line.change}\n`).join(''));
        }
      } finally {
        await handle.close();
      }
      lines = [];
    };
    try {
      for await (const batch of redis.hscanStream(key, { count: 2000 })) {
        const flat = batch as string[];
        for (let i = 0; i < flat.length; i += 2) {
          const entry = JSON.parse(flat[i + 1]!) as StagedEntry;
          files += 1;
          if (entry.status !== 'removed') bytes += entry.size;
          lines.push({ path: flat[i]!, change: encodeChange(entry) });
        }
        if (lines.length >= runEntries) await spill();
      }
      if (runs.length === 0) return new SortedSnapshot(files, bytes, lines.sort(byPath), null, []);
      if (lines.length > 0) await spill();
      return new SortedSnapshot(files, bytes, null, dir, runs);
    } catch (error) {
      if (dir !== null) await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The entries in path order (a removal as null). */
  async *changes(): AsyncIterable<readonly [string, TreeChange]> {
    if (this.memory !== null) {
      for (const line of this.memory) yield [line.path, decodeChange(line.change)];
      return;
    }
    for await (const line of mergeRuns(this.runs)) yield [line.path, decodeChange(line.change)];
  }

  async *paths(): AsyncIterable<string> {
    for await (const [path] of this.changes()) yield path;
  }

  async close(): Promise<void> {
    if (this.dir !== null) await rm(this.dir, { recursive: true, force: true });
  }
}

/** One sorted run being read: its next line, or null at its end. */
interface RunReader {
  next(): Promise<Line | null>;
  close(): void;
}

/**
 * Lines of a run, read 64 KiB at a time as they are asked for (readline's async iterator queues
 * lines ahead of its reader: a merge of ten runs held all of them).
 */
async function* runLines(file: string): AsyncGenerator<string> {
  const handle = await open(file, 'r');
  try {
    const decoder = new StringDecoder('utf8');
    const chunk = Buffer.allocUnsafe(64 * 1024);
    let carry = '';
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      const lines = (carry + decoder.write(chunk.subarray(0, bytesRead))).split('\n');
      carry = lines.pop()!;
      yield* lines;
    }
    carry += decoder.end();
    if (carry !== '') yield carry;
  } finally {
    await handle.close();
  }
}

function readRun(file: string): RunReader {
  const lines = runLines(file);
  return {
    async next() {
      const { value, done } = await lines.next();
      if (done) return null;
      const tab = value.indexOf('\t');
      return { path: unescape(value.slice(0, tab)), change: value.slice(tab + 1) };
    },
    close: () => void lines.return(undefined).catch(() => undefined),
  };
}

/** A k-way merge of sorted runs through a binary heap of each run's next line. */
async function* mergeRuns(files: readonly string[]): AsyncIterable<Line> {
  const readers = files.map(readRun);
  try {
    const heap: Array<{ line: Line; reader: RunReader }> = [];
    const less = (i: number, j: number) => byPath(heap[i]!.line, heap[j]!.line) < 0;
    const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
    const down = (start: number) => {
      for (let i = start; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(l, m)) m = l;
        if (r < heap.length && less(r, m)) m = r;
        if (m === i) return;
        swap(i, m);
        i = m;
      }
    };
    for (const reader of readers) {
      const line = await reader.next();
      if (line !== null) heap.push({ line, reader });
    }
    for (let i = Math.floor(heap.length / 2) - 1; i >= 0; i--) down(i);
    while (heap.length > 0) {
      const top = heap[0]!;
      yield top.line;
      const line = await top.reader.next();
      if (line !== null) top.line = line;
      else {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
      }
      down(0);
    }
  } finally {
    for (const reader of readers) reader.close();
  }
}
