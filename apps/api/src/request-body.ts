import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { SluiceError } from '@sluice/core';
import { wrongPartLength } from '@sluice/ingest';

export interface BodyBounds {
  /** The body must be exactly this many bytes (a resumable upload's part). */
  exactly?: number;
  /** The body may be at most this many bytes (a chunk). */
  atMost?: number;
}

/**
 * A raw request body as a stream for the store, joined to the request by hand instead of with
 * `pipe()`, so that every way it can end has a path:
 *
 * - the request fails or closes before its end: this stream fails at once, so the store's `put`
 *   settles (pipe() would pass neither on, and the put would wait for ever);
 * - the body breaks its bounds: this stream fails with the refusal to answer, and the request is
 *   left paused, not destroyed, so its rest can be drained and the answer still sent;
 * - this stream fails before the store has attached to it (the filesystem store first awaits a
 *   `mkdir`): the failure is held in `failure` and in the stream's errored state, which the
 *   store's pipeline sees when it attaches, instead of an 'error' event nobody hears that would
 *   end the process.
 */
export class RequestBody extends Readable {
  /** Why the body failed, once it did: the refusal to answer or the request's own end. */
  failure: SluiceError | null = null;
  private bytes = 0;
  private ended = false;

  constructor(
    private readonly source: IncomingMessage,
    private readonly bounds: BodyBounds,
  ) {
    super({ highWaterMark: 1024 * 1024 });
    // The error is also held in `failure` and seen by whoever attaches later (see above).
    this.on('error', () => undefined);
    source.on('data', this.onData);
    source.once('end', this.onEnd);
    source.once('error', this.onGone);
    source.once('close', this.onGone);
    if (source.readableEnded) this.onEnd();
    else if (source.destroyed) this.onGone();
  }

  private readonly onData = (chunk: Buffer): void => {
    this.bytes += chunk.length;
    const { exactly, atMost } = this.bounds;
    if (exactly !== undefined && this.bytes > exactly) return this.fail(wrongPartLength(exactly));
    if (atMost !== undefined && this.bytes > atMost) return this.fail(bodyTooLarge(atMost));
    if (!this.push(chunk)) this.source.pause();
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    const { exactly } = this.bounds;
    if (exactly !== undefined && this.bytes !== exactly) return this.fail(wrongPartLength(exactly));
    this.detach();
    this.push(null);
  };

  private readonly onGone = (): void => {
    if (this.ended) return;
    this.fail(new SluiceError('bad_request', `the request ended after ${this.bytes} bytes, before its body did`));
  };

  override _read(): void {
    if (!this.source.destroyed) this.source.resume();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    // the store gave up reading (it failed): stop taking the request's bytes; its rest is drained
    // or the connection closed by whoever answers
    this.detach();
    done(error);
  }

  private fail(error: SluiceError): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.detach();
    this.destroy(error);
  }

  private detach(): void {
    this.source.off('data', this.onData);
    this.source.off('end', this.onEnd);
    this.source.off('error', this.onGone);
    this.source.off('close', this.onGone);
    if (!this.ended) this.source.pause();
  }
}

function bodyTooLarge(limit: number): SluiceError {
  return new SluiceError('request_too_large', `this body is larger than SLUICE_MAX_REQUEST_BYTES (${limit} bytes)`);
}
