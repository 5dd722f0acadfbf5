import type { FastifyRequest } from 'fastify';
import { SluiceError } from '@sluice/core';
import type { IncomingPart } from '@sluice/ingest';

/** The parts of a multipart request, for `@sluice/ingest` to spool; any other body is refused. */
export function multipartParts(request: FastifyRequest): AsyncIterable<IncomingPart> {
  if (!request.isMultipart())
    throw new SluiceError('not_multipart', 'the request must be multipart/form-data with file[] parts');
  return request.parts();
}
