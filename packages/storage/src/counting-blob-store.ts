import type { Readable } from 'node:stream';
import type { BlobInfo, BlobStore, PutOptions } from './blob-store.js';

export type BlobOperation = 'put' | 'get' | 'stat' | 'delete' | 'move' | 'list';

/** Request counts by operation and by the key's top folder (`spool`, `versions`, `objects`). */
export type BlobRequestCounts = Record<string, Partial<Record<BlobOperation, number>>>;

/**
 * Counts the requests sluice makes of its store: the figure that predicts how far one MinIO
 * carries (round trips per file), reported by the stats route and the benchmark.
 */
export class CountingBlobStore implements BlobStore {
  private readonly counts: BlobRequestCounts = {};

  constructor(private readonly inner: BlobStore) {}

  snapshot(): BlobRequestCounts {
    return structuredClone(this.counts);
  }

  private count(op: BlobOperation, key: string, requests = 1): void {
    const area = key.slice(0, Math.max(0, key.indexOf('/'))) || key;
    const byOp = (this.counts[area] ??= {});
    byOp[op] = (byOp[op] ?? 0) + requests;
  }

  put(key: string, body: Buffer | readonly Buffer[] | Readable, options?: PutOptions): Promise<void> {
    this.count('put', key);
    return this.inner.put(key, body, options);
  }
  get(key: string): Promise<Readable> {
    this.count('get', key);
    return this.inner.get(key);
  }
  getRange(key: string, offset: number, length: number): Promise<Readable> {
    this.count('get', key);
    return this.inner.getRange(key, offset, length);
  }
  getBuffer(key: string): Promise<Buffer> {
    this.count('get', key);
    return this.inner.getBuffer(key);
  }
  release(memory: ArrayBuffer): void {
    this.inner.release?.(memory);
  }
  stat(key: string): Promise<BlobInfo | null> {
    this.count('stat', key);
    return this.inner.stat(key);
  }
  delete(keys: readonly string[]): Promise<void> {
    // S3 deletes up to 1000 keys in one request; count what the wire sees.
    if (keys.length > 0) this.count('delete', keys[0] as string, Math.ceil(keys.length / 1000));
    return this.inner.delete(keys);
  }
  move(from: string, to: string): Promise<void> {
    this.count('move', to);
    return this.inner.move(from, to);
  }
  list(prefix: string): AsyncIterable<BlobInfo> {
    this.count('list', prefix);
    return this.inner.list(prefix);
  }
  freeBytes(): Promise<number | null> {
    return this.inner.freeBytes();
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }
}
