import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SluiceError } from '@sluice/core';
import { failure } from '../oxen-envelope.js';

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
  const admit = async (request: FastifyRequest, reply: FastifyReply) => {
    const announced = Number(request.headers['content-length'] ?? 0) || 0;
    let refusal: SluiceError | null = null;
    if (announced > limits.maxBytes) {
      refusal = new SluiceError('request_too_large', `this upload announces ${announced} bytes; an API node reads at most SLUICE_MAX_SPOOL_BYTES_IN_FLIGHT (${limits.maxBytes}) at once`);
    } else if (uploads + 1 > limits.maxUploads || bytes + announced > limits.maxBytes) {
      refusal = new SluiceError('too_busy', `this node is reading ${uploads} uploads (${bytes} bytes) already, its budget (SLUICE_MAX_UPLOADS_IN_FLIGHT ${limits.maxUploads}, SLUICE_MAX_SPOOL_BYTES_IN_FLIGHT ${limits.maxBytes}); retry shortly`);
    }
    if (refusal) {
      // the body was not read: the connection ends with this answer
      return reply.status(refusal.status).header('retry-after', '2').header('connection', 'close').send(failure(refusal));
    }
    uploads += 1;
    bytes += announced;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      uploads -= 1;
      bytes -= announced;
    };
    // the answer sent, or the connection gone before it: either way the upload no longer counts
    reply.raw.once('close', release);
  };
  app.addHook('onRoute', (route) => {
    if (route.config?.upload !== true) return;
    route.onRequest = [route.onRequest ?? []].flat().concat(admit);
  });
}
