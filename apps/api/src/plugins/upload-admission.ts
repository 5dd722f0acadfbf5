import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SluiceError } from '@sluice/core';
import { failure } from '../oxen-envelope.js';
import { callerKey } from '../auth/caller-key.js';
import { watchBodyRate, type BodyRate } from './body-rate-watch.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes an upload body into the spool: admitted against the node's in-flight budget. */
    upload?: boolean;
  }
}

export interface AdmissionLimits {
  /** Upload requests one API node reads at once. */
  maxUploads: number;
  /** Bytes (as announced by Content-Length) of the upload bodies one API node reads at once. */
  maxBytes: number;
  /** Of those, the uploads one caller reads at once. */
  maxPerCaller: number;
  bodyRate: BodyRate;
}

/**
 * Too much at once is refused before a byte of the body is read: an upload past the node's
 * budget of concurrent uploads or announced bytes answers 503 with Retry-After (413 when it could
 * never fit), instead of growing memory and disk without bound. Per API node: scale API nodes
 * out to take more.
 */
export function uploadAdmission(app: FastifyInstance, limits: AdmissionLimits): void {
  let uploads = 0;
  let bytes = 0;
  const perCaller = new Map<string, number>();
  const admit = async (request: FastifyRequest, reply: FastifyReply) => {
    const announced = Number(request.headers['content-length'] ?? 0) || 0;
    const caller = callerKey(request);
    const mine = perCaller.get(caller) ?? 0;
    let refusal: SluiceError | null = null;
    if (announced > limits.maxBytes) {
      refusal = new SluiceError(
        'request_too_large',
        `this upload announces ${announced} bytes; an API node reads at ` +
          `most SLUICE_MAX_SPOOL_BYTES_IN_FLIGHT (${limits.maxBytes}) at once`,
      );
    } else if (uploads + 1 > limits.maxUploads || bytes + announced > limits.maxBytes) {
      refusal = new SluiceError(
        'too_busy',
        `this node is reading ${uploads} uploads (${bytes} bytes) already, its budget ` +
          `(SLUICE_MAX_UPLOADS_IN_FLIGHT ${limits.maxUploads}, SLUICE_MAX_SPOOL_BYTES_IN_FLIGHT ` +
          `${limits.maxBytes}); retry shortly`,
      );
    } else if (mine + 1 > limits.maxPerCaller) {
      refusal = new SluiceError(
        'too_busy',
        `this caller has ${mine} uploads in flight already, its share of this node ` +
          `(SLUICE_MAX_UPLOADS_PER_CALLER ${limits.maxPerCaller}); retry shortly`,
      );
    }
    if (refusal) {
      // the body was not read: the connection ends with this answer
      return reply
        .status(refusal.status)
        .header('retry-after', '2')
        .header('connection', 'close')
        .send(failure(refusal));
    }
    uploads += 1;
    bytes += announced;
    perCaller.set(caller, mine + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      stopWatch();
      uploads -= 1;
      bytes -= announced;
      const left = (perCaller.get(caller) ?? 1) - 1;
      if (left > 0) perCaller.set(caller, left);
      else perCaller.delete(caller);
    };
    const stopWatch = watchBodyRate(request, reply, limits.bodyRate, release);
    // the answer sent, or the connection gone before it: either way the upload no longer counts
    reply.raw.once('close', release);
  };
  app.addHook('onRoute', (route) => {
    if (route.config?.upload !== true) return;
    route.onRequest = [route.onRequest ?? []].flat().concat(admit);
  });
}
