import { Type } from 'typebox';
import { ErrorBody, errorAnswer } from '@sluice/protocol';
import {
  bytesAnswer,
  count,
  notFound,
  ok,
  str,
  versionTags,
  type RouteSchema,
  param,
  params,
  repoParams,
} from '../openapi/schema-kit.js';

export const versionMetadata = {
  operationId: 'version_metadata',
  summary: 'The size of a version this repository references',
  description:
    'A hash is not a read right: content only other repositories reference is 404, as is content stored nowhere.',
  tags: versionTags,
  params: params({ ...repoParams, hash: param('hash') }),
  response: { 200: ok({ version: Type.Object({ hash: str, size: count }) }), 404: notFound },
} satisfies RouteSchema;

export const downloadVersions = {
  operationId: 'download_versions',
  summary: "Many versions at once, as a gzipped tar stream (method QUERY; the client's pull and clone)",
  description:
    'The body is a gzip of `hash\\n` lines, sent with any Content-Type or none. The answer is a gzipped tar ' +
    'with one entry per distinct hash, named by the hash, streamed as it is read from the store (an error on ' +
    'the way cuts the stream short rather than ending the archive). Before anything is sent, hashes this ' +
    'repository does not reference, or that are stored nowhere, make the whole request 404 ' +
    '`version_blobs_missing` with `error.missing_hashes`. At most 100,000 hashes a request.',
  tags: versionTags,
  params: params({ ...repoParams }),
  consumes: ['application/gzip'],
  streamedBody: Type.String({ format: 'binary', description: 'gzip of hash lines' }),
  response: {
    200: bytesAnswer('a gzipped tar, one entry per hash, named by it', 'application/gzip'),
    400: ErrorBody,
    404: errorAnswer('`version_blobs_missing`: `error.missing_hashes` lists what this repository cannot serve'),
  },
} satisfies RouteSchema;
