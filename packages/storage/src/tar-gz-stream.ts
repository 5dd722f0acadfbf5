import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** One file of an archive: its name, its exact size, and its bytes when their turn comes. */
export interface TarEntry {
  name: string;
  size: number;
  /** Modification time, seconds since the epoch (default 0). */
  mtime?: number;
  /** Pax extended header records written before the entry (`path` and `size` are added when needed). */
  pax?: Readonly<Record<string, string>>;
  /** The bytes: a stream, or a buffer already read (a batch of small files read in one go). */
  open(): Promise<Readable | Buffer>;
}

const block = 512;
/** ustar's name field; a longer (UTF-8) name goes in a pax extended header before the entry. */
const ustarNameBytes = 100;
/** ustar's size field holds 11 octal digits: 8 GiB - 1; past it the size goes in the pax header too. */
const ustarMaxSize = 0o77777777777;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** A ustar header block (POSIX.1-1988), regular file or pax extended header, mode 0644, owned by 0. */
function header(name: Buffer, size: number, type: '0' | 'x', mtime = 0): Buffer {
  const buffer = Buffer.alloc(block);
  name.copy(buffer, 0, 0, Math.min(name.length, ustarNameBytes));
  buffer.write(octal(0o644, 8), 100, 'ascii');
  buffer.write(octal(0, 8), 108, 'ascii');
  buffer.write(octal(0, 8), 116, 'ascii');
  buffer.write(octal(size > ustarMaxSize ? 0 : size, 12), 124, 'ascii');
  buffer.write(octal(Math.max(0, Math.min(Math.floor(mtime), ustarMaxSize)), 12), 136, 'ascii');
  buffer.write(' '.repeat(8), 148, 'ascii');
  buffer.write(type, 156, 'ascii');
  buffer.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const byte of buffer) sum += byte;
  buffer.write(octal(sum, 7) + ' ', 148, 'ascii');
  return buffer;
}

/** A pax record `"<length> <key>=<value>\n"`, whose length counts its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const base = Buffer.byteLength(body);
  let total = base + 1;
  while (base + String(total).length !== total) total = base + String(total).length;
  return `${total}${body}`;
}

const padding = (size: number) => Buffer.alloc((block - (size % block)) % block);

/**
 * The tar stream of the entries, one at a time, each read only when its turn comes: at most one
 * entry's stream is open and memory holds a chunk or two. An entry whose bytes do not come to
 * its announced size fails the stream (a short or long entry would corrupt every entry after
 * it); its source is destroyed with it.
 */
async function* tarBlocks(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>): AsyncGenerator<Buffer> {
  for await (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const records = [
      ...(name.length > ustarNameBytes ? [paxRecord('path', entry.name)] : []),
      ...(entry.size > ustarMaxSize ? [paxRecord('size', String(entry.size))] : []),
      ...Object.entries(entry.pax ?? {}).map(([key, value]) => paxRecord(key, value)),
    ];
    if (records.length > 0) {
      const pax = Buffer.from(records.join(''), 'utf8');
      yield header(Buffer.from('PaxHeader'), pax.length, 'x', entry.mtime);
      yield Buffer.concat([pax, padding(pax.length)]);
    }
    yield header(name, entry.size, '0', entry.mtime);
    const source = await entry.open();
    if (Buffer.isBuffer(source)) {
      if (source.length !== entry.size) {
        throw new Error(`tar entry ${entry.name} holds ${source.length} bytes, not its ${entry.size}`);
      }
      yield source;
      yield padding(entry.size);
      continue;
    }
    let written = 0;
    for await (const chunk of source as AsyncIterable<Buffer>) {
      written += chunk.length;
      if (written > entry.size) {
        source.destroy();
        throw new Error(`tar entry ${entry.name} holds more than its ${entry.size} bytes`);
      }
      yield chunk;
    }
    if (written !== entry.size)
      throw new Error(`tar entry ${entry.name} ended after ${written} of ${entry.size} bytes`);
    yield padding(entry.size);
  }
  yield Buffer.alloc(2 * block);
}

/**
 * Pieces smaller than this are gathered into one chunk: a write to the socket per header and per
 * small file costs more than the copy.
 */
const gatherBytes = 64 * 1024;

/** The blocks gathered into chunks of at least gatherBytes (a larger piece passes through as it is). */
async function* gathered(pieces: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let heldBytes = 0;
  for await (const piece of pieces) {
    if (piece.length >= gatherBytes) {
      if (heldBytes > 0) yield Buffer.concat(held, heldBytes);
      held = [];
      heldBytes = 0;
      yield piece;
      continue;
    }
    if (piece.length === 0) continue;
    held.push(piece);
    heldBytes += piece.length;
    if (heldBytes >= gatherBytes) {
      yield Buffer.concat(held, heldBytes);
      held = [];
      heldBytes = 0;
    }
  }
  if (heldBytes > 0) yield Buffer.concat(held, heldBytes);
}

/** The tar stream of the entries (see tarBlocks), uncompressed. */
export function tarStream(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>): Readable {
  return Readable.from(gathered(tarBlocks(entries)), { objectMode: false });
}

/**
 * The gzipped tar stream of the entries. An error while it is written (an entry that cannot be
 * read, or does not come to its size) destroys the result with that error, so the reader sees a
 * broken stream rather than a short archive that looks whole; destroying the result stops the
 * reading of the entries.
 */
export function tarGzStream(entries: AsyncIterable<TarEntry> | Iterable<TarEntry>): Readable {
  const gzip = createGzip();
  pipeline(tarStream(entries), gzip).catch(() => undefined); // the error reaches the reader through `gzip`
  return gzip;
}
