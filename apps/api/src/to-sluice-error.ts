import { SluiceError, type ErrorCode } from '@sluice/core';
import { redisFailure } from '@sluice/repository';

/** Fastify, multipart and ioredis errors that clients cause or that name a dependency, by code. */
const knownCodes: Record<string, ErrorCode> = {
  FST_PARTS_LIMIT: 'too_many_parts',
  FST_FILES_LIMIT: 'too_many_parts',
  FST_FIELDS_LIMIT: 'too_many_parts',
  FST_REQ_FILE_TOO_LARGE: 'part_too_large',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'not_multipart',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'not_multipart',
  FST_ERR_CTP_BODY_TOO_LARGE: 'request_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_MP_PREMATURE_CLOSE: 'malformed_multipart',
  FST_INVALID_JSON_FIELD_ERROR: 'bad_request',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_PROTO_VIOLATION: 'malformed_multipart',
  FST_ERR_BAD_URL: 'bad_request',
};

/** Maps anything thrown while serving a request to a SluiceError with the right status. */
export function toSluiceError(error: unknown): SluiceError {
  if (error instanceof SluiceError) return error;
  const e = error as { code?: string; statusCode?: number; message?: string; validation?: unknown; name?: string };
  const message = e.message ?? 'unexpected error';
  if (e.validation !== undefined) return new SluiceError('bad_request', message);
  if (e.code !== undefined && knownCodes[e.code] !== undefined) return new SluiceError(knownCodes[e.code]!, message);
  if (error instanceof SyntaxError) return new SluiceError('invalid_json', `Invalid JSON: ${message}`);
  const redis = redisFailure(error);
  if (redis !== null) return redis;
  // busboy's own parse errors carry no code: a malformed or truncated body.
  if (
    /Unexpected end of (form|multipart data)|terminated early|Malformed part header|Multipart: Boundary not found|Unexpected end of file/i.test(
      message,
    )
  ) {
    return new SluiceError('malformed_multipart', message);
  }
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
    return new SluiceError(e.statusCode === 413 ? 'request_too_large' : 'bad_request', message);
  }
  return new SluiceError('internal', 'Internal Server Error', { cause: error });
}
