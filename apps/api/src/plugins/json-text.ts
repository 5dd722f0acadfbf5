import type { FastifyInstance } from 'fastify';
import { SluiceError } from '@sluice/core';
import type { TypedApp } from '../openapi/schema-kit.js';

/**
 * Upstream reads the JSON bodies of workspace, commit, branch, move and chunk-completion requests
 * as text whatever their Content-Type, and the stock client sends several of them with none at
 * all (docs/api.md#compatibility-with-the-stock-oxen-client). So any body that no other parser
 * claims (no type, text/plain, a form type, anything else) is read as JSON text; multipart and
 * application/json keep their own parsers.
 */
export function jsonText(app: FastifyInstance): void {
  // Fastify's own text/plain parser would hand routes a string (400 "must be object") and answer a
  // text body past its limit otherwise than the fallback below does.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_request, body, done) => {
    const text = String(body).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new SluiceError('invalid_json', `Invalid JSON: ${(error as Error).message}`), undefined);
    }
  });
}

/**
 * Registers routes that take only multipart bodies in a scope without the text fallback above, so
 * a body of any other type is refused as not multipart (415) instead of being read as JSON.
 */
export async function multipartOnly(app: TypedApp, routes: (scope: TypedApp) => void): Promise<void> {
  await app.register(async (scope: TypedApp) => {
    scope.addContentTypeParser('*', (_request, _payload, done) => {
      done(new SluiceError('not_multipart', 'the request must be multipart/form-data with file[] parts'), undefined);
    });
    routes(scope);
  });
}
