import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { SluiceError } from '@sluice/core';
import { pendingVersionKey, spoolKey, type BlobStore } from '@sluice/storage';
import type { DigestBoard } from '../digest/digest-board.js';
import { digestJobOptions, digestPendingId, type DigestQueue, type SpooledPart } from '@sluice/queue';
import { inlinePartMaxBytes, largePartChunkBytes, spoolSegmentBytes } from './spool-layout.js';
import { ChunkCutter } from './chunk-cutter.js';

/** Where a large part's digest job goes, and the board the API keeps it informed on. */
export interface EarlyStart {
  queue: DigestQueue;
  board: DigestBoard;
}

/**
 * Streams the parts of one upload request into the spool without holding large files in memory:
 * small parts are packed into shared segments (one object per ~8 MiB, not one per file), a part
 * past `inlinePartMaxBytes` is piped into objects of its own (chunks of `largePartChunkBytes`) as
 * it arrives, and once it fills its first chunk a digest job starts on it while the rest arrives.
 */
export class SpoolWriter {
  readonly parts: SpooledPart[] = [];
  readonly keys: string[] = [];
  bytes = 0;
  private segment: Buffer[] = [];
  private segmentSize = 0;
  private segmentKey: string | null = null;
  /** Digests started for this request's parts, told when the request fails. */
  private readonly digests: string[] = [];
  private discarded = false;
  /**
   * Every store write still under way: a discard waits for them,
   * or a write that lands after the delete would outlive it.
   */
  private readonly inFlight = new Set<Promise<unknown>>();

  /**
   * @param durable whether spool objects must survive a power cut: an asynchronous upload
   *   promises that with its 202; a synchronous one promises nothing until its files are staged.
   */
  constructor(
    private readonly store: BlobStore,
    private readonly requestId: string,
    private readonly maxRequestBytes: number,
    private readonly durable: boolean,
    private readonly early: EarlyStart,
  ) {}

  private nextKey(): string {
    const key = spoolKey(this.requestId, this.keys.length);
    this.keys.push(key);
    return key;
  }

  private count(length: number): void {
    this.bytes += length;
    if (this.bytes > this.maxRequestBytes) {
      throw new SluiceError(
        'request_too_large',
        `request body exceeds SLUICE_MAX_REQUEST_BYTES (${this.maxRequestBytes} bytes)`,
      );
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
    this.parts.push({
      path,
      gzip,
      spool: this.segmentKey,
      offset: this.segmentSize,
      length: size,
      ...(expectHash ? { expectHash } : {}),
    });
    this.segment.push(...head);
    this.segmentSize += size;
    if (this.segmentSize >= spoolSegmentBytes) await this.flush();
  }

  private async addLarge(
    path: string,
    gzip: boolean,
    head: Buffer[],
    rest: AsyncIterator<Buffer>,
    expectHash: string | undefined,
  ): Promise<void> {
    let length = 0;
    const count = (bytes: number) => this.count(bytes);
    const counted = (async function* () {
      for (const chunk of head) {
        length += chunk.length;
        yield chunk;
      }
      for (let next = await rest.next(); !next.done; next = await rest.next()) {
        count(next.value.length);
        length += next.value.length;
        yield next.value;
      }
    })();
    const cutter = new ChunkCutter(counted, largePartChunkBytes);
    const chunks: string[] = [];
    let digestId: string | null = null;
    // A chunk's durable write finishes (its fsync) while the next chunk already arrives; the board
    // lists each chunk, in order, only once it is written.
    let written: Promise<unknown> = Promise.resolve();
    do {
      const key = this.nextKey();
      const index = chunks.push(key) - 1;
      const body = Readable.from(cutter.run(), { objectMode: false });
      const put = this.track(this.store.put(key, body, { durable: this.durable }));
      put.catch(() => undefined); // its failure surfaces below or through `written`
      // wait until the chunk's bytes are read; the put's own error explains a failure best
      await Promise.race([finished(body), put]).catch(async (error: unknown) => {
        await put;
        throw error;
      });
      if (index === 0 && (await cutter.more())) {
        digestId = randomUUID();
        this.digests.push(digestId);
      }
      const id = digestId;
      written = Promise.all([written, put]).then(() =>
        id === null ? undefined : this.announce(id, index, key, path, gzip),
      );
      written.catch(() => undefined); // awaited below
    } while (await cutter.more());
    await written;
    if (digestId !== null) await this.early.board.end(digestId);
    const where = chunks.length > 1 ? { chunks, length } : { spool: chunks[0]!, offset: 0, length };
    this.parts.push({
      path,
      gzip,
      ...where,
      ...(digestId !== null ? { digest: digestId } : {}),
      ...(expectHash ? { expectHash } : {}),
    });
  }

  /**
   * Tells the worker a chunk is written: the first starts the digest job (the part outgrew it),
   * later ones go on its board. Nothing once the request has failed.
   */
  private async announce(digestId: string, index: number, key: string, path: string, gzip: boolean): Promise<void> {
    if (this.discarded) return;
    await this.early.board.chunkWritten(digestId, index, key);
    if (index === 0)
      await this.early.queue.add('digest', { digestId, path, gzip }, { ...digestJobOptions, jobId: digestId });
  }

  private async flush(): Promise<void> {
    if (this.segmentKey === null) return;
    const key = this.segmentKey;
    const body = this.segment;
    this.segment = [];
    this.segmentSize = 0;
    this.segmentKey = null;
    await this.track(this.store.put(key, body, { durable: this.durable }));
  }

  private track<T>(write: Promise<T>): Promise<T> {
    this.inFlight.add(write);
    void write.finally(() => this.inFlight.delete(write)).catch(() => undefined);
    return write;
  }

  /** Writes what is still buffered; after this every part is durable in the store. */
  async finish(): Promise<void> {
    await this.flush();
  }

  /** Removes whatever this request spooled (the request failed; nothing may be left behind). */
  async discard(): Promise<void> {
    this.discarded = true;
    this.segment = [];
    await Promise.allSettled([...this.inFlight]);
    // a digest stops at the mark; one that had finished leaves its object, removed here
    await Promise.allSettled(this.digests.map((id) => this.early.board.abort(id)));
    const digested = this.digests.map((id) => pendingVersionKey(digestPendingId(id)));
    await this.store.delete([...this.keys, ...digested]).catch(() => undefined);
  }
}
