import { Type } from 'typebox';
import { BeginUploadBody, ErrorBody } from '@sluice/protocol';
import {
  collisionRule,
  count,
  notFound,
  ok,
  optional,
  rawBytes,
  str,
  versionTags,
  type RouteSchema,
  param,
  params,
  repoParams,
} from '../openapi/schema-kit.js';

export const beginVersionUpload = {
  operationId: 'begin_version_upload',
  summary: 'Begin a resumable upload of a large file in parts (newer clients)',
  description:
    'Content this repository already references answers `file.status: already_stored` and is staged at the ' +
    'destination at once; otherwise `awaiting_parts` with the upload id, the part size (every part but the ' +
    'last), the number of parts and the part window. A file is at most 1 TiB. A destination the workspace has ' +
    'no room for (its quotas, less what a file staged at the same path holds) is refused here with 413 ' +
    '`quota_exceeded`, and one where a file cannot go (below) with 409 `path_conflict`, before any part is sent.' +
    collisionRule,
  tags: versionTags,
  params: params({ ...repoParams }),
  body: BeginUploadBody,
  response: {
    200: ok({
      file: Type.Object({
        status: Type.Enum(['awaiting_parts', 'already_stored']),
        upload_id: optional(str),
        part_size: optional(count),
        num_parts: optional(count),
        part_window: optional(count),
        hash: optional(str),
        size: optional(count),
      }),
    }),
    400: ErrorBody,
    404: notFound,
    409: ErrorBody,
    413: ErrorBody,
  },
} satisfies RouteSchema;

export const uploadVersionPart = {
  operationId: 'upload_version_part',
  summary: 'One part of a resumable upload, numbered from 1',
  description:
    'Parts may come in any order within the window (429 + Retry-After beyond it, or while the same part is ' +
    'being stored; a request cut or refused mid-part gives the part up at once, a claim left by a dead API ' +
    'node lapses after 10 minutes); a part longer or shorter than its size is 400; a part resent after it was ' +
    'stored is accepted and ignored. The part that completes the file is answered with `completed: true` once ' +
    'the worker has verified the hash and staged the file; so is a part resent while that is under way (its ' +
    'answer lost: 504, a cut connection), once the same job is done. A finished, aborted or unknown upload ' +
    'answers 404.',
  tags: versionTags,
  params: params({ ...repoParams, uploadId: param('uploadId'), part: param('part') }),
  consumes: ['application/octet-stream'],
  streamedBody: rawBytes,
  response: {
    200: ok({
      upload_id: str,
      part_number: count,
      completed: Type.Boolean(),
      hash: optional(str),
      path: optional(Type.Union([str, Type.Null()])),
      job_id: optional(Type.Union([str, Type.Null()])),
    }),
    400: ErrorBody,
    404: notFound,
    429: ErrorBody,
  },
} satisfies RouteSchema;
