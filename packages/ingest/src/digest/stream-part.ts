import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { createOxenHasher, errorCodeOf, sniffMime, SluiceError, type ContentFacts, type Limits } from '@sluice/core';
import { packTail, pendingVersionKey, type BlobStore } from '@sluice/storage';
import { isChunkedPart, type SpooledPart } from '@sluice/queue';
import { CopyTo, discard } from './copy-to.js';
import { inflateLimitError } from './inflate-limits.js';

export interface StreamedFile extends ContentFacts {
  /** Where the content waits until it is known whether the version store needs it. */
  pendingKey: string;
  /**
   * Set when the part came gzipped: the pending object then holds the gzip member as sent, as a
   * pack of one entry (pack-format.ts), and this is the member's length.
   */
  gzipLength?: number;
}

/**
 * Hashes, sniffs and enforces the inflate limits on the bytes passing through, so a large part
 * is never held whole in memory. Throws SluiceError with the limit's code when one is crossed.
 */
class ContentMeter extends Transform {
  size = 0;
  private head = Buffer.alloc(0);
  private hash: string | undefined;

  constructor(
    private readonly hasher: Awaited<ReturnType<typeof createOxenHasher>>,
    /** Compressed bytes read so far or in all: the inflate ratio is checked against it. */
    private readonly compressedLength: () => number,
    private readonly limits: Limits | null,
  ) {
    super();
    hasher.init();
  }

  get sniffHead(): Buffer {
    return this.head;
  }

  /** The content's hash, once it has all passed (the hasher finalizes once; later calls repeat it). */
  digest(): string {
    return (this.hash ??= this.hasher.digest());
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.limits !== null) {
      const refused = inflateLimitError(this.size, this.compressedLength(), this.limits);
      if (refused) return done(refused);
    }
    if (this.head.length < 4096) this.head = Buffer.concat([this.head, chunk.subarray(0, 4096 - this.head.length)]);
    this.hasher.update(chunk);
    done(null, chunk);
  }
}

/**
 * How much gunzip inflates per call. Each slice is one trip to libuv's pool and back, one hash
 * update and one write: with small slices the trips between them left the inflate thread idle
 * (bench/README.md has the measurements).
 */
const inflateSliceBytes = 1024 * 1024;
/**
 * Inflated bytes that may wait for the disk. Writes into a fresh page cache stall now and then
 * (on a VM the host faults the pages in), and with little room gunzip stopped for each stall.
 */
const writeAheadBytes = 8 * 1024 * 1024;

/** Streams one spooled part through gunzip (when gzipped) and the meter into a pending object. */
export async function streamPart(
  store: BlobStore,
  limits: Limits,
  part: SpooledPart,
  pendingId: string,
): Promise<StreamedFile> {
  const source = isChunkedPart(part)
    ? concatenated(store, part.chunks)
    : await store.getRange(part.spool, part.offset, part.length);
  // a file sent in chunks of its own has no length as sent; it is never gzipped either
  const length = part.length ?? 0;
  return streamContent(
    store,
    limits,
    source,
    { path: part.path, gzip: part.gzip, compressedLength: () => length },
    pendingId,
  );
}

/**
 * Streams content through gunzip (when gzipped) and the meter into a pending object, failing with
 * the part's error code (corrupt_gzip, inflate_limit, inflate_ratio) or store_unavailable.
 * zlib inflates on libuv's thread pool; the event loop only hashes 1 MiB slices.
 *
 * A gzipped part is kept as it was sent: its bytes go to the pending object while their inflated
 * content is only hashed and measured. Writing the version, not inflating it, bounds a large part,
 * and the member is a fraction of its content (bench/README.md); reads inflate it again. Members that do not
 * compress (random bytes) are stored blocks, which inflate at the speed of a copy.
 */
export async function streamContent(
  store: BlobStore,
  limits: Limits,
  source: Readable,
  part: { path: string; gzip: boolean; compressedLength: () => number },
  pendingId: string,
): Promise<StreamedFile> {
  const meter = new ContentMeter(await createOxenHasher(), part.compressedLength, part.gzip ? limits : null);
  const pendingKey = pendingVersionKey(pendingId);
  const out = new PassThrough({ highWaterMark: writeAheadBytes });
  const kept = part.gzip ? new CopyTo(out) : null;
  const filling = kept === null ? pipeline(source, meter, out) : fillPack(source, kept, meter, out);
  try {
    const [filled, stored] = await Promise.allSettled([filling, store.put(pendingKey, out)]);
    // The part's own error (bad gzip, a limit) says why, unless it only says the store stopped reading.
    const storeStopped =
      filled.status === 'fulfilled' || (filled.reason as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE';
    if (stored.status === 'rejected' && storeStopped) throw stored.reason;
    if (filled.status === 'rejected') throw filled.reason;
  } catch (error) {
    await store.delete([pendingKey]).catch(() => undefined);
    if (error instanceof SluiceError) throw error;
    if (
      (error as { code?: string }).code?.startsWith('Z_') ||
      (error as Error).message?.includes('unexpected end of file')
    ) {
      throw new SluiceError('corrupt_gzip', `corrupt gzip stream: ${(error as Error).message}`);
    }
    if (errorCodeOf(error) !== 'internal') throw error;
    throw new SluiceError('store_unavailable', `streaming ${part.path} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    hash: meter.digest(),
    size: meter.size,
    ...sniffMime(meter.sniffHead, part.path),
    pendingKey,
    ...(kept === null ? {} : { gzipLength: kept.bytes }),
  };
}

/** The gzip member into `out` as a pack of one entry (pack-format.ts), its content through the meter. */
async function fillPack(source: Readable, kept: CopyTo, meter: ContentMeter, out: PassThrough): Promise<void> {
  try {
    await pipeline(source, kept, createGunzip({ chunkSize: inflateSliceBytes }), meter, discard());
    out.end(Buffer.concat(packTail([{ hash: meter.digest(), offset: 0, length: kept.bytes, size: meter.size }])));
  } catch (error) {
    out.destroy(error as Error);
    throw error;
  }
}

/** The objects of a chunked upload read one after the other as one stream. */
function concatenated(store: BlobStore, keys: readonly string[]): Readable {
  return Readable.from(
    (async function* () {
      for (const key of keys) yield* await store.get(key);
    })(),
  );
}
