import { Readable } from 'node:stream';
import type { BlobInfo, BlobStore, PutOptions } from './blob-store.js';
import { SpareMemory } from './spare-memory.js';

/** Given-back buffers kept for reuse: as many as a worker has segments in flight, and two more. */
const spareBuffers = 4;

/**
 * In a process that is both API and worker, the spool segment the API has just written is what
 * its worker reads next. This keeps a copy of the last such objects (up to `maxBytes`, oldest
 * dropped first) and hands each to its first `getBuffer` instead of asking the store again: into
 * S3 that read is a second trip of every byte through the network and the object server. Each
 * copy goes to one reader only, since the reader may transfer it to a thread; a retry, another
 * process or an object already dropped reads the store as before. The store is still written
 * first, so nothing about durability or other processes changes.
 *
 * The reader gives the memory back when it is done (`release`) and the next copy reuses it
 * (SpareMemory): copying into fresh memory is a visible share of a one-process server's main
 * thread (bench/README.md).
 */
export class HandOffBlobStore implements BlobStore {
  private readonly held = new Map<string, Buffer>();
  private heldBytes = 0;
  private readonly spare: SpareMemory;

  constructor(
    private readonly inner: BlobStore,
    private readonly handsOff: (key: string) => boolean,
    private readonly maxBytes: number,
  ) {
    this.spare = new SpareMemory(spareBuffers, maxBytes);
  }

  async put(key: string, body: Buffer | readonly Buffer[] | Readable, options?: PutOptions): Promise<void> {
    await this.inner.put(key, body, options);
    if (body instanceof Readable || !this.handsOff(key)) return;
    const pieces = Buffer.isBuffer(body) ? [body] : body;
    const size = pieces.reduce((sum, piece) => sum + piece.length, 0);
    if (size > this.maxBytes) return;
    const copy = this.spare.take(size);
    let at = 0;
    for (const piece of pieces) at += piece.copy(copy, at);
    this.drop(key);
    this.held.set(key, copy);
    this.heldBytes += size;
    for (const [oldest] of this.held) {
      if (this.heldBytes <= this.maxBytes) break;
      this.drop(oldest);
    }
  }

  async getBuffer(key: string): Promise<Buffer> {
    const held = this.held.get(key);
    if (held === undefined) return this.inner.getBuffer(key);
    this.drop(key);
    return held;
  }

  delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.drop(key);
    return this.inner.delete(keys);
  }

  move(from: string, to: string): Promise<void> {
    this.drop(from);
    return this.inner.move(from, to);
  }

  release(memory: ArrayBuffer): void {
    this.spare.give(memory);
  }

  private drop(key: string): void {
    const held = this.held.get(key);
    if (held === undefined) return;
    this.held.delete(key);
    this.heldBytes -= held.length;
  }

  get(key: string): Promise<Readable> {
    return this.inner.get(key);
  }
  getRange(key: string, offset: number, length: number): Promise<Readable> {
    return this.inner.getRange(key, offset, length);
  }
  stat(key: string): Promise<BlobInfo | null> {
    return this.inner.stat(key);
  }
  list(prefix: string): AsyncIterable<BlobInfo> {
    return this.inner.list(prefix);
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
  freeBytes(): Promise<number | null> {
    return this.inner.freeBytes();
  }
}
