import { Type } from 'typebox';
import { CompleteChunkedBody, ErrorBody } from '@sluice/protocol';
import {
  collisionRule,
  multipartFiles,
  quotaRule,
  notFound,
  ok,
  optional,
  query,
  rawBytes,
  str,
  versionTags,
  type RouteSchema,
  param,
  params,
  repoParams,
  typed,
} from '../openapi/schema-kit.js';

export const createChunkedUpload = {
  operationId: 'create_chunked_upload',
  summary: 'Start a chunked upload of a large file',
  tags: versionTags,
  params: params({ ...repoParams, hash: param('hash') }),
  response: { 200: ok(), 400: ErrorBody },
} satisfies RouteSchema;

export const uploadChunk = {
  operationId: 'upload_chunk',
  summary: 'One chunk of a large file, at a byte offset',
  description:
    'At most SLUICE_MAX_REQUEST_BYTES (413 past it; nothing is stored). Chunks never completed are swept ' +
    'after SLUICE_SPOOL_GRACE_SECONDS.',
  tags: versionTags,
  params: params({ ...repoParams, hash: param('hash') }),
  querystring: query({ offset: optional(Type.Integer({ minimum: 0 })) }),
  consumes: ['application/octet-stream'],
  streamedBody: rawBytes,
  response: { 200: ok(), 400: ErrorBody, 413: ErrorBody },
} satisfies RouteSchema;

export const completeChunkedUpload = {
  operationId: 'complete_chunked_upload',
  summary: 'Reassemble and verify a chunked upload; with workspace_id, stage it',
  description: `Staging follows the upload's rules.${collisionRule}${quotaRule}`,
  tags: versionTags,
  params: params({ ...repoParams, hash: param('hash') }),
  body: typed<CompleteChunkedBody>(CompleteChunkedBody),
  response: {
    200: ok({
      hash: str,
      path: Type.Union([str, Type.Null()]),
      job_id: Type.Union([str, Type.Null()], {
        description: 'null when the content was stored already and is staged by hash',
      }),
    }),
    400: ErrorBody,
    404: notFound,
    409: ErrorBody,
    413: ErrorBody,
  },
} satisfies RouteSchema;

export const batchUpload = {
  operationId: 'batch_upload',
  summary: 'Store blobs: multipart parts named by their content hash',
  tags: versionTags,
  params: params({ ...repoParams }),
  consumes: ['multipart/form-data'],
  streamedBody: multipartFiles,
  response: {
    200: ok({
      err_files: Type.Array(Type.Object({ hash: str, path: Type.Union([str, Type.Null()]), error: str }), {
        description: 'the parts that failed: their hash and why',
      }),
    }),
    400: ErrorBody,
  },
} satisfies RouteSchema;
