import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, statfs, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { SluiceError } from '@sluice/core';
import type { BlobInfo, BlobStore, PutOptions } from './blob-store.js';
import { FlushAhead } from './flush-ahead.js';
import { SpareMemory } from './spare-memory.js';

export interface FsBlobStoreOptions {
  root: string;
  /** fsync each object before it becomes visible: an acknowledged upload survives a power cut. */
  fsync: boolean;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Writes buffers in order with writev (at most 512 at a time, IOV_MAX-safe), finishing short writes. */
async function writeAll(handle: FileHandle, buffers: readonly Buffer[]): Promise<void> {
  for (let i = 0; i < buffers.length; i += 512) {
    const batch = buffers.slice(i, i + 512);
    const total = batch.reduce((sum, b) => sum + b.length, 0);
    const { bytesWritten } = await handle.writev(batch);
    if (bytesWritten < total) await handle.write(Buffer.concat(batch).subarray(bytesWritten));
  }
}

/** How much of a streamed object may wait in the page cache before its write-back is started. */
const flushStrideBytes = 64 * 1024 * 1024;

/** The embedded store of a one-machine install: one file per key under a root directory. */
export class FsBlobStore implements BlobStore {
  private readonly root: string;
  private readonly fsync: boolean;
  private readonly knownDirs = new Set<string>();

  /** Memory of spool segments read whole, given back by the worker (`release`) and filled again. */
  private readonly spare = new SpareMemory(4, 16 * 1024 * 1024);

  constructor(options: FsBlobStoreOptions) {
    this.root = resolve(options.root);
    this.fsync = options.fsync;
  }

  private path(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new SluiceError('internal', `blob key escapes the store: ${key}`);
    return path;
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.knownDirs.add(dir);
  }

  async put(key: string, body: Buffer | readonly Buffer[] | Readable, options: PutOptions = {}): Promise<void> {
    try {
      await this.write(key, body, options);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') {
        throw new SluiceError(
          'storage_full',
          `the filesystem store under ${this.root} is full (${code}); free space or grow the disk`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  async freeBytes(): Promise<number | null> {
    const stats = await statfs(this.root);
    return stats.bavail * stats.bsize;
  }

  private async write(key: string, body: Buffer | readonly Buffer[] | Readable, options: PutOptions): Promise<void> {
    const sync = this.fsync && options.durable !== false;
    const path = this.path(key);
    await this.ensureDir(dirname(path));
    const temp = `${path}.${randomUUID()}.tmp`;
    try {
      if (Buffer.isBuffer(body) || Array.isArray(body)) {
        const handle = await open(temp, 'w');
        try {
          if (Buffer.isBuffer(body)) await handle.writeFile(body);
          else await writeAll(handle, body as readonly Buffer[]);
          if (sync) await handle.sync();
        } finally {
          await handle.close();
        }
      } else {
        const out = createWriteStream(temp, { highWaterMark: 1024 * 1024, flush: sync });
        if (sync) await pipeline(body as Readable, new FlushAhead(out, flushStrideBytes), out);
        else await pipeline(body as Readable, out);
      }
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Readable> {
    return this.open(key, {});
  }

  async getRange(key: string, offset: number, length: number): Promise<Readable> {
    if (length === 0) return Readable.from([]);
    return this.open(key, { start: offset, end: offset + length - 1 });
  }

  private async open(key: string, range: { start?: number; end?: number }): Promise<Readable> {
    const path = this.path(key);
    // Open eagerly so a missing key fails here, not later inside the consumer's stream.
    const handle = await open(path, 'r').catch((error: unknown) => {
      if (isMissing(error)) throw new SluiceError('resource_not_found', `no blob at ${key}`);
      throw error;
    });
    // 256 KiB reads: larger reads stream a large part a little faster, but every read is a fresh
    // Buffer, and several large parts at once then pass the memory bound (bench/README.md)
    return createReadStream(path, { fd: handle, highWaterMark: 256 * 1024, ...range });
  }

  async getBuffer(key: string): Promise<Buffer> {
    const handle = await open(this.path(key), 'r').catch((error: unknown) => {
      if (isMissing(error)) throw new SluiceError('resource_not_found', `no blob at ${key}`);
      throw error;
    });
    try {
      const { size } = await handle.stat();
      const data = this.spare.take(size);
      for (let at = 0; at < size;) {
        const { bytesRead } = await handle.read(data, at, size - at, at);
        if (bytesRead === 0) throw new SluiceError('internal', `${key} ended at ${at} of ${size} bytes`);
        at += bytesRead;
      }
      return data;
    } finally {
      await handle.close();
    }
  }

  release(memory: ArrayBuffer): void {
    this.spare.give(memory);
  }

  async stat(key: string): Promise<BlobInfo | null> {
    try {
      const info = await stat(this.path(key));
      return { key, size: info.size, lastModified: info.mtime };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    // one unlink each (rm would lstat first: a syscall per spool object on every job)
    await Promise.all(
      keys.map((key) =>
        unlink(this.path(key)).catch((error: unknown) => {
          if (!isMissing(error)) throw error;
        }),
      ),
    );
  }

  async move(from: string, to: string): Promise<void> {
    const target = this.path(to);
    await this.ensureDir(dirname(target));
    await rename(this.path(from), target).catch((error: unknown) => {
      if (isMissing(error)) throw new SluiceError('resource_not_found', `no blob at ${from}`);
      throw error;
    });
  }

  async *list(prefix: string): AsyncIterable<BlobInfo> {
    const dir = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    yield* this.walk(dir === '' ? this.root : this.path(dir), prefix);
  }

  private async *walk(dir: string, prefix: string): AsyncIterable<BlobInfo> {
    let names;
    try {
      names = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    names.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of names) {
      const path = join(dir, entry.name);
      const key = relative(this.root, path).split(sep).join('/');
      if (entry.isDirectory()) {
        if (key.startsWith(prefix) || prefix.startsWith(key + '/')) yield* this.walk(path, prefix);
      } else if (key.startsWith(prefix) && !key.endsWith('.tmp')) {
        const info = await this.stat(key);
        if (info !== null) yield info;
      }
    }
  }

  async ping(): Promise<void> {
    await this.ensureDir(this.root);
  }
}
