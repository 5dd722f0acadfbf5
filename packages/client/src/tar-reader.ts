/** A tar that is not one: a cut stream, a header whose checksum fails, a size that cannot be read. */
export class TarError extends Error {
  constructor(
    message: string,
    readonly truncated = false,
  ) {
    super(message);
    this.name = 'TarError';
  }
}

/** One file of the archive: its path, size and pax records; `body` must be read whole before the next entry. */
export interface TarFile {
  path: string;
  size: number;
  pax: Readonly<Record<string, string>>;
  body: AsyncIterable<Buffer>;
}

/** Bytes pulled from a stream in exact amounts, copying only when a read spans two chunks. */
class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.source.next();
    if (next.done === true) {
      this.ended = true;
      return false;
    }
    this.chunks.push(next.value);
    this.buffered += next.value.length;
    return true;
  }

  private take(length: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length > length) {
      this.chunks[0] = first.subarray(length);
      this.buffered -= length;
      return first.subarray(0, length);
    }
    this.chunks.shift();
    this.buffered -= first.length;
    return first;
  }

  /** Exactly `length` bytes; null at the end of the stream before any of them. */
  async exactly(length: number): Promise<Buffer | null> {
    while (this.buffered < length) {
      if (!(await this.fill())) {
        if (this.buffered === 0) return null;
        throw new TarError('the archive stops in the middle of a header', true);
      }
    }
    const parts: Buffer[] = [];
    for (let left = length; left > 0;) {
      const part = this.take(left);
      parts.push(part);
      left -= part.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** The next `length` bytes, in the pieces they arrived in. */
  async *pieces(length: number): AsyncGenerator<Buffer> {
    for (let left = length; left > 0;) {
      if (this.buffered === 0 && !(await this.fill()))
        throw new TarError('the archive stops in the middle of a file', true);
      const piece = this.take(Math.min(left, this.chunks[0]!.length));
      left -= piece.length;
      yield piece;
    }
  }
}

const text = (header: Buffer, start: number, length: number) => {
  const field = header.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
};

/** A numeric field: octal text, or base-256 when its first byte has the high bit (sizes of 8 GiB and more). */
function number(header: Buffer, start: number, length: number): number {
  if ((header[start]! & 0x80) !== 0) {
    let value = header[start]! & 0x7f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + header[i]!;
    return value;
  }
  const digits = text(header, start, length).trim();
  if (!/^[0-7]*$/.test(digits)) throw new TarError(`a header field is not a number: ${JSON.stringify(digits)}`);
  return digits === '' ? 0 : parseInt(digits, 8);
}

/** A header's checksum: the sum of its bytes with the checksum field read as spaces. */
function checksumHolds(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum === number(header, 148, 8);
}

/** Pax records: `"<length> <key>=<value>\n"` each. */
function paxRecords(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  for (let at = 0; at < data.length;) {
    const space = data.indexOf(0x20, at);
    const length = Number(data.subarray(at, space).toString('ascii'));
    if (space === -1 || !Number.isInteger(length) || length <= 0 || at + length > data.length)
      throw new TarError('a pax record is malformed');
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals === -1) throw new TarError('a pax record is malformed');
    records[record.slice(0, equals)] = record.slice(equals + 1);
    at += length;
  }
  return records;
}

/**
 * The regular files of a POSIX tar (ustar headers, pax `x` records applied to the entry after
 * them, GNU long names), read as the stream arrives. Every header's checksum is checked; a
 * stream that ends before the two zero blocks that close an archive is a `TarError` marked
 * `truncated`, so a cut transfer is never taken for a whole one. Directories, links and global
 * records are passed over.
 */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarFile> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  let pax: Record<string, string> = {};
  let longName: string | null = null;
  for (;;) {
    const header = await reader.exactly(512);
    if (header === null) throw new TarError('the archive ends without its end blocks', true);
    if (header.every((byte) => byte === 0)) {
      if ((await reader.exactly(512)) === null)
        throw new TarError('the archive ends without its second end block', true);
      return;
    }
    if (!checksumHolds(header)) throw new TarError('a header checksum does not match: the archive was damaged');
    const type = String.fromCharCode(header[156]!) === '\0' ? '0' : String.fromCharCode(header[156]!);
    const size = type !== 'x' && type !== 'g' && pax.size !== undefined ? Number(pax.size) : number(header, 124, 12);
    const padding = (512 - (size % 512)) % 512;
    if (type === 'x' || type === 'g' || type === 'L') {
      const data = (await reader.exactly(size + padding)) ?? Buffer.alloc(0);
      if (data.length < size) throw new TarError('the archive stops in the middle of a header', true);
      if (type === 'x') pax = paxRecords(data.subarray(0, size));
      if (type === 'L') longName = text(data, 0, size);
      continue;
    }
    const prefix = text(header, 345, 155);
    const name = pax.path ?? longName ?? (prefix === '' ? text(header, 0, 100) : `${prefix}/${text(header, 0, 100)}`);
    const records = pax;
    pax = {};
    longName = null;
    if (type === '0' || type === '7') {
      let read = false;
      const body = (async function* () {
        read = true;
        yield* reader.pieces(size);
      })();
      yield { path: name, size, pax: records, body };
      // a consumer that skipped the body: pass over it
      if (!read)
        for await (const _ of reader.pieces(size)) {
          /* skipped */
        }
    } else {
      for await (const _ of reader.pieces(size)) {
        /* not a file */
      }
    }
    if (padding > 0 && (await reader.exactly(padding)) === null)
      throw new TarError('the archive stops in the middle of a file', true);
  }
}
