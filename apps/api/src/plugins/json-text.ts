import type { FastifyInstance } from 'fastify';
import { SluiceError } from '@sluice/core';

/**
 * Upstream reads the JSON bodies of workspace, commit and branch requests as text whatever their
 * Content-Type; so do we for text/plain (and bodies sent without a type).
 */
export function jsonText(app: FastifyInstance): void {
  app.addContentTypeParser(['text/plain', 'application/x-www-form-urlencoded'], { parseAs: 'string', bodyLimit: 256 * 1024 }, (_request, body, done) => {
    const text = String(body).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new SluiceError('invalid_json', `Invalid JSON: ${(error as Error).message}`), undefined);
    }
  });
}
