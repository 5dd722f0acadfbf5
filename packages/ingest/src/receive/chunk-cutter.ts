/**
 * Cuts a stream of buffers into runs of at most `size` bytes without copying (a buffer that
 * straddles a boundary is split by subarray), so that each run can be written as its own object.
 */
export class ChunkCutter {
  private leftover: Buffer | null = null;
  private exhausted = false;

  constructor(
    private readonly source: AsyncIterator<Buffer>,
    private readonly size: number,
  ) {}

  /** The next run's buffers, as they arrive. */
  async *run(): AsyncGenerator<Buffer> {
    let taken = 0;
    while (taken < this.size) {
      const chunk = await this.pull();
      if (chunk === null) return;
      const room = this.size - taken;
      if (chunk.length > room) {
        this.leftover = chunk.subarray(room);
        yield chunk.subarray(0, room);
        return;
      }
      taken += chunk.length;
      yield chunk;
    }
  }

  /** Whether another run follows (reads ahead one buffer when it has to). */
  async more(): Promise<boolean> {
    if (this.leftover !== null) return true;
    const chunk = await this.pull();
    if (chunk === null) return false;
    this.leftover = chunk;
    return true;
  }

  private async pull(): Promise<Buffer | null> {
    if (this.leftover !== null) {
      const chunk = this.leftover;
      this.leftover = null;
      return chunk;
    }
    if (this.exhausted) return null;
    const next = await this.source.next();
    if (next.done) {
      this.exhausted = true;
      return null;
    }
    return next.value;
  }
}
