import type { FastifyReply, FastifyRequest } from 'fastify';
import { SluiceError } from '@sluice/core';
import { failure } from '../oxen-envelope.js';

export interface BodyRate {
  /** Fewer bytes than this per second, over a window, cut the upload; 0 never does. */
  minBytesPerSecond: number;
  windowSeconds: number;
}

/**
 * Watches an upload body's pace: one that delivers less than the minimum over a window is cut
 * (408 `body_too_slow` when nothing was answered yet, then the connection closes), so a trickle
 * cannot hold an upload slot for hours. A window in which the server itself was behind reading
 * (bytes waiting in its buffers) is not held against the client. Returns the watch's stop.
 */
export function watchBodyRate(
  request: FastifyRequest,
  reply: FastifyReply,
  rate: BodyRate,
  onCut: () => void,
): () => void {
  if (rate.minBytesPerSecond <= 0) return () => undefined;
  const socket = request.raw.socket;
  let last = socket.bytesRead;
  const timer = setInterval(() => {
    if (request.raw.complete || socket.destroyed) return stop();
    const read = socket.bytesRead;
    const delivered = read - last;
    last = read;
    const behind = request.raw.readableLength > 0 || socket.readableLength > 0 || request.raw.readableFlowing === false;
    if (behind || delivered >= rate.minBytesPerSecond * rate.windowSeconds) return;
    stop();
    const error = new SluiceError(
      'body_too_slow',
      `this upload body delivered ${delivered} bytes in ${rate.windowSeconds} s, ` +
        `under SLUICE_UPLOAD_MIN_BYTES_PER_SECOND (${rate.minBytesPerSecond}) over SLUICE_UPLOAD_RATE_WINDOW_SECONDS`,
    );
    request.log.warn(error.message);
    onCut();
    if (reply.raw.headersSent) {
      socket.destroy();
      return;
    }
    // written on the socket itself: the route is still reading this body and owns the reply
    const body = JSON.stringify(failure(error));
    const head =
      `HTTP/1.1 ${error.status} Request Timeout\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`;
    socket.end(head + body, () => socket.destroy());
    // the client may keep the connection half open: end it regardless
    setTimeout(() => socket.destroy(), 1000).unref();
  }, rate.windowSeconds * 1000);
  timer.unref();
  function stop(): void {
    clearInterval(timer);
  }
  return stop;
}
