import { Readable } from 'node:stream';
import { SluiceError } from '@sluice/core';
import type { BlobInfo, BlobStore } from './blob-store.js';
import { readExact } from './read-exact.js';

/**
 * A BlobStore in this process's memory, for unit tests of what is built on the store (the spool
 * writer, trees and commits) without a disk or a server. It passes the same contract suite as
 * the real stores; nothing in sluice runs on it.
 */
export class MemoryBlobStore implements BlobStore {
  private readonly objects = new Map<string, { bytes: Buffer; lastModified: Date }>();

  async put(key: string, body: Buffer | readonly Buffer[] | Readable): Promise<void> {
    const bytes = Buffer.isBuffer(body)
      ? Buffer.from(body)
      : Array.isArray(body)
        ? Buffer.concat(body as readonly Buffer[])
        : await readExact(body as Readable);
    this.objects.set(key, { bytes, lastModified: new Date() });
  }

  private require(key: string): Buffer {
    const found = this.objects.get(key);
    if (found === undefined) throw new SluiceError('resource_not_found', `no blob at ${key}`);
    return found.bytes;
  }

  async get(key: string): Promise<Readable> {
    return Readable.from([this.require(key)]);
  }

  async getRange(key: string, offset: number, length: number): Promise<Readable> {
    if (length === 0) return Readable.from([]);
    return Readable.from([this.require(key).subarray(offset, offset + length)]);
  }

  async getBuffer(key: string): Promise<Buffer> {
    return Uint8Array.prototype.slice.call(this.require(key)) as Buffer;
  }

  async stat(key: string): Promise<BlobInfo | null> {
    const found = this.objects.get(key);
    return found === undefined ? null : { key, size: found.bytes.length, lastModified: found.lastModified };
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }

  async move(from: string, to: string): Promise<void> {
    const found = this.objects.get(from);
    if (found === undefined) throw new SluiceError('resource_not_found', `no blob at ${from}`);
    this.objects.set(to, found);
    this.objects.delete(from);
  }

  async *list(prefix: string): AsyncIterable<BlobInfo> {
    for (const key of [...this.objects.keys()].sort()) if (key.startsWith(prefix)) yield (await this.stat(key))!;
  }

  async ping(): Promise<void> {}

  async freeBytes(): Promise<number | null> {
    return null;
  }
}
