import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SluiceError } from '@sluice/core';
import { failure } from '../oxen-envelope.js';
import { callerKey } from '../auth/caller-key.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route streams a long answer (an archive) that holds read-ahead buffers while it is sent. */
    stream?: boolean;
  }
}

export interface StreamLimits {
  /** Streamed answers one API node sends at once. */
  maxStreams: number;
  /** Of those, one caller's. */
  maxPerCaller: number;
  /** A client that has taken no byte of its answer for this long is cut. */
  stallSeconds: number;
}

/**
 * Streamed answers hold memory while they are sent (an archive reads ahead a window of files), so
 * a tenant opening many and reading none could take a node's memory: past the node's or the
 * caller's share they answer 503 `too_busy` with Retry-After, and one whose client stops reading
 * for `stallSeconds` is cut (its connection destroyed, its buffers freed). Per API node.
 */
export function streamAdmission(app: FastifyInstance, limits: StreamLimits): void {
  let streams = 0;
  const perCaller = new Map<string, number>();
  const admit = async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = callerKey(request);
    const mine = perCaller.get(caller) ?? 0;
    let refusal: SluiceError | null = null;
    if (streams + 1 > limits.maxStreams) {
      refusal = new SluiceError(
        'too_busy',
        `this node is sending ${streams} archives already ` +
          `(SLUICE_MAX_STREAMS_IN_FLIGHT ${limits.maxStreams}); retry shortly`,
      );
    } else if (mine + 1 > limits.maxPerCaller) {
      refusal = new SluiceError(
        'too_busy',
        `this caller is being sent ${mine} archives already, ` +
          `its share of this node (SLUICE_MAX_STREAMS_PER_CALLER ${limits.maxPerCaller}); retry shortly`,
      );
    }
    if (refusal) return reply.status(refusal.status).header('retry-after', '2').send(failure(refusal));
    streams += 1;
    perCaller.set(caller, mine + 1);
    const socket = request.raw.socket;
    let sent = socket.bytesWritten;
    let idle = 0;
    // a few checks per stall period, so a stalled client is cut within about 1.25 periods
    const everyMs = Math.max(250, (limits.stallSeconds * 1000) / 4);
    const timer = setInterval(() => {
      const now = socket.bytesWritten;
      idle = now > sent ? 0 : idle + everyMs;
      sent = now;
      if (idle < limits.stallSeconds * 1000) return;
      const seconds = limits.stallSeconds;
      request.log.warn(`a streamed answer's client took nothing for ${seconds} s (SLUICE_STREAM_STALL_SECONDS): cut`);
      socket.destroy();
    }, everyMs);
    timer.unref();
    let released = false;
    reply.raw.once('close', () => {
      if (released) return;
      released = true;
      clearInterval(timer);
      streams -= 1;
      const left = (perCaller.get(caller) ?? 1) - 1;
      if (left > 0) perCaller.set(caller, left);
      else perCaller.delete(caller);
    });
  };
  app.addHook('onRoute', (route) => {
    if (route.config?.stream !== true) return;
    route.onRequest = [route.onRequest ?? []].flat().concat(admit);
  });
}
