/**
 * Counts the regular-file entries of a tar as it streams past, keeping only a partial header:
 * the many-files archive is a million entries and two gigabytes, so nothing of it is held.
 * Pax (`x`) and other non-file headers are skipped with their data; sizes are read from the
 * ustar header (the benchmark's files are far below the 8 GiB where pax would carry them).
 */
export class TarCounter {
  entries = 0;
  bytes = 0;
  /** Whether the two zero blocks that end a tar arrived (a stream cut short has none). */
  complete = false;
  private skip = 0;
  private header = Buffer.alloc(512);
  private filled = 0;
  private zeroBlocks = 0;

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    for (let at = 0; at < chunk.length && !this.complete;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        continue;
      }
      const n = Math.min(512 - this.filled, chunk.length - at);
      chunk.copy(this.header, this.filled, at, at + n);
      this.filled += n;
      at += n;
      if (this.filled === 512) this.readHeader();
    }
  }

  private readHeader(): void {
    this.filled = 0;
    if (this.header.every((byte) => byte === 0)) {
      this.complete = ++this.zeroBlocks === 2;
      return;
    }
    if (this.zeroBlocks > 0) throw new Error('a header after a zero block');
    const sizeText = this.header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim();
    if (!/^[0-7]*$/.test(sizeText)) throw new Error(`a tar size field is not octal: ${JSON.stringify(sizeText)}`);
    const size = sizeText === '' ? 0 : parseInt(sizeText, 8);
    const type = this.header[156]!;
    // '0' or NUL: a regular file
    if (type === 0x30 || type === 0) this.entries++;
    this.skip = Math.ceil(size / 512) * 512;
  }
}
