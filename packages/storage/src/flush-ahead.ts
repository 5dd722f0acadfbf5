import { fdatasync, type WriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes bytes on to `out` and, every `strideBytes`, starts an fdatasync of what `out` has
 * written so far without waiting for it: the disk writes a large object back while it is still
 * being produced, so the fsync at its end finds at most one stride left to flush instead of the
 * whole object.
 */
export class FlushAhead extends Transform {
  /** Write-backs started so far. */
  syncsStarted = 0;
  private sinceSync = 0;
  private syncing = false;
  private fd: number | null = null;

  constructor(
    out: WriteStream,
    private readonly strideBytes: number,
  ) {
    super();
    out.once('open', (fd: number) => (this.fd = fd));
    out.once('close', () => (this.fd = null));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.sinceSync += chunk.length;
    const fd = this.fd;
    if (this.sinceSync >= this.strideBytes && !this.syncing && fd !== null) {
      this.sinceSync = 0;
      this.syncing = true;
      this.syncsStarted++;
      // an error here shows again in the final fsync, which the write waits for
      fdatasync(fd, () => (this.syncing = false));
    }
    done(null, chunk);
  }
}
