import { Transform, Writable, type TransformCallback } from 'node:stream';

/** Passes bytes on and copies them into `copy`, at the pace of the slower of the two. */
export class CopyTo extends Transform {
  bytes = 0;

  constructor(private readonly copy: Writable) {
    super();
    // the store stopped reading (it failed): nothing would drain it again, so end early (the
    // pipeline then fails with a premature close, and the store's error is the one reported)
    copy.once('close', () => {
      if (!this.writableFinished) this.destroy();
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.copy.write(chunk)) done(null, chunk);
    else this.copy.once('drain', () => done(null, chunk));
  }
}

/** Consumes a stream whose bytes were already used on the way. */
export function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
