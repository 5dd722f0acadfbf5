const mib = 1024 * 1024;

/**
 * Large buffers given back after use, handed out again. A fresh multi-MiB buffer pays a page
 * fault per 4 KiB page on its first write (dear on a guest that returns freed pages to the host at
 * once; bench/README.md), a buffer written before does not: spool segments come and go hundreds of
 * times a minute, so reusing their memory is worth a few spares.
 */
export class SpareMemory {
  private readonly spare: ArrayBuffer[] = [];

  constructor(
    private readonly keep: number,
    private readonly maxBytes: number,
  ) {}

  /**
   * `size` bytes over an ArrayBuffer of their own (never Node's shared pool), so they can be
   * transferred to a thread. A spare serves only a request of at least half its size: the same
   * store reads small objects (commits, directory nodes) through here, and those must neither
   * use up the spares nor hold megabytes alive behind a few hundred bytes.
   */
  take(size: number): Buffer {
    const fits = this.spare.findIndex((memory) => memory.byteLength >= size && memory.byteLength <= 2 * size);
    if (fits !== -1) return Buffer.from(this.spare.splice(fits, 1)[0]!, 0, size);
    // past 1 MiB, whole MiBs: segments of one workload differ by a
    // few KiB, and each then fits in memory an earlier one gave back
    return size <= mib
      ? Buffer.allocUnsafeSlow(size)
      : Buffer.from(new ArrayBuffer(Math.ceil(size / mib) * mib), 0, size);
  }

  /** Memory nothing reads or writes any more (a transferred-away ArrayBuffer is empty and ignored). */
  give(memory: ArrayBuffer): void {
    if (this.spare.length < this.keep && memory.byteLength > 0 && memory.byteLength <= this.maxBytes)
      this.spare.push(memory);
  }
}
