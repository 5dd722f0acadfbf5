import { Readable } from 'node:stream';
import { SluiceError } from '@sluice/core';
import { spoolKey, type BlobStore } from '@sluice/storage';
import { inlinePartMaxBytes, spoolSegmentBytes, type SpooledPart } from '@sluice/queue';

/**
 * Streams the parts of one upload request into the spool without holding large files in memory:
 * small parts are packed into shared segments (one object per ~8 MiB, not one per file), a part
 * past `inlinePartMaxBytes` is piped into an object of its own as it arrives.
 */
export class SpoolWriter {
  readonly parts: SpooledPart[] = [];
  readonly keys: string[] = [];
  bytes = 0;
  private segment: Buffer[] = [];
  private segmentSize = 0;
  private segmentKey: string | null = null;

  /**
   * @param durable whether spool objects must survive a power cut: an asynchronous upload
   *   promises that with its 202; a synchronous one promises nothing until its files are staged.
   */
  constructor(
    private readonly store: BlobStore,
    private readonly requestId: string,
    private readonly maxRequestBytes: number,
    private readonly durable: boolean,
  ) {}

  private nextKey(): string {
    const key = spoolKey(this.requestId, this.keys.length);
    this.keys.push(key);
    return key;
  }

  private count(length: number): void {
    this.bytes += length;
    if (this.bytes > this.maxRequestBytes) {
      throw new SluiceError('request_too_large', `request body exceeds SLUICE_MAX_REQUEST_BYTES (${this.maxRequestBytes} bytes)`);
    }
  }

  async add(path: string, gzip: boolean, stream: Readable, expectHash?: string): Promise<void> {
    const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const head: Buffer[] = [];
    let size = 0;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      this.count(next.value.length);
      head.push(next.value);
      size += next.value.length;
      if (size > inlinePartMaxBytes) return this.addLarge(path, gzip, head, iterator, expectHash);
    }
    if (this.segmentKey === null) this.segmentKey = this.nextKey();
    this.parts.push({ path, gzip, spool: this.segmentKey, offset: this.segmentSize, length: size, ...(expectHash ? { expectHash } : {}) });
    this.segment.push(...head);
    this.segmentSize += size;
    if (this.segmentSize >= spoolSegmentBytes) await this.flush();
  }

  private async addLarge(path: string, gzip: boolean, head: Buffer[], rest: AsyncIterator<Buffer>, expectHash: string | undefined): Promise<void> {
    const key = this.nextKey();
    let length = 0;
    const count = (chunk: Buffer) => {
      length += chunk.length;
      return chunk;
    };
    head.forEach(count);
    const self = this;
    const body = Readable.from(
      (async function* () {
        yield* head;
        for (let next = await rest.next(); !next.done; next = await rest.next()) {
          self.count(next.value.length);
          yield count(next.value);
        }
      })(),
      { objectMode: false },
    );
    await this.store.put(key, body, { durable: this.durable });
    this.parts.push({ path, gzip, spool: key, offset: 0, length, ...(expectHash ? { expectHash } : {}) });
  }

  private async flush(): Promise<void> {
    if (this.segmentKey === null) return;
    const key = this.segmentKey;
    const body = this.segment;
    this.segment = [];
    this.segmentSize = 0;
    this.segmentKey = null;
    await this.store.put(key, body, { durable: this.durable });
  }

  /** Writes what is still buffered; after this every part is durable in the store. */
  async finish(): Promise<void> {
    await this.flush();
  }

  /** Removes whatever this request spooled (the request failed; nothing may be left behind). */
  async discard(): Promise<void> {
    this.segment = [];
    await this.store.delete(this.keys).catch(() => undefined);
  }
}
