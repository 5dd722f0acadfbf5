import type { IncomingMessage } from 'node:http';
import type { FastifyReply } from 'fastify';

/** The most of an unread body read and dropped to answer over it: a resumable upload's part and then some. */
const drainLimitBytes = 32 * 1024 * 1024;

/** How long a client may send nothing before it is answered anyway: one that waits for the answer, or stalls. */
const drainIdleMs = 1000;

/**
 * Reads and drops the rest of a body that is answered without being used, and resolves once it is
 * read: answered earlier, a client that writes its whole body before reading (Node's http,
 * reqwest) would meet a closed connection and lose the answer (EPIPE), whenever the connection
 * closes after the answer (`Connection: close`, or a body the server does not read to its end).
 * A body announced larger than the limit is not read; one without a length is read up to the
 * limit; a client that sends nothing for `drainIdleMs` (it announced a body it does not send) is
 * answered then. In each of these cases, and when the request is gone, the answer closes the
 * connection, since the rest cannot be told from the next request.
 */
export async function drainBody(body: IncomingMessage, reply: FastifyReply): Promise<void> {
  if (body.complete || body.readableEnded) return;
  const announced = Number(body.headers['content-length']);
  if (body.destroyed || (Number.isSafeInteger(announced) && announced > drainLimitBytes)) {
    reply.header('connection', 'close');
    return;
  }
  body.unpipe();
  const ended = await new Promise<boolean>((resolve) => {
    let bytes = 0;
    const stalled = () => {
      body.pause();
      finish(false);
    };
    const idle = setTimeout(stalled, drainIdleMs);
    const finish = (whole: boolean) => {
      clearTimeout(idle);
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('close', onClose);
      body.off('error', onClose);
      resolve(whole);
    };
    const onData = (chunk: Buffer) => {
      idle.refresh();
      bytes += chunk.length;
      if (bytes > drainLimitBytes) {
        body.pause();
        finish(false);
      }
    };
    const onEnd = () => finish(true);
    const onClose = () => finish(body.complete);
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('close', onClose);
    body.once('error', onClose);
    body.resume();
  });
  if (!ended) reply.header('connection', 'close');
}
