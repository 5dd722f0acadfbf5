import { Type } from 'typebox';
import { BeginUploadBody, CompleteChunkedBody, ErrorBody, errorAnswer } from '@sluice/protocol';
import {
  bytesAnswer,
  collisionRule,
  count,
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
} from './schema-kit.js';

/** Versions: resumable and chunked uploads of large files, and hash-named blobs. */
export const versionSchemas = {
  begin_version_upload: {
    operationId: 'begin_version_upload',
    summary: 'Begin a resumable upload of a large file in parts (newer clients)',
    description:
      'Content this repository already references answers `file.status: already_stored` and is staged at the ' +
      'destination at once; otherwise `awaiting_parts` with the upload id, the part size (every part but the ' +
      'last), the number of parts and the part window. A file is at most 1 TiB. A destination the workspace has ' +
      'no room for (its quotas, less what a file staged at the same path holds) is refused here with 413 ' +
      '`quota_exceeded`, before any part is sent.' +
      collisionRule,
    tags: versionTags,
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
  },
  upload_version_part: {
    operationId: 'upload_version_part',
    summary: 'One part of a resumable upload, numbered from 1',
    description:
      'Parts may come in any order within the window (429 + Retry-After beyond it, or while the same part is ' +
      'being stored; a request cut or refused mid-part gives the part up at once, a claim left by a dead API ' +
      'node lapses after 10 minutes); a part longer or shorter than its size is 400; a part resent after it was ' +
      'stored is accepted and ignored. The part that completes the file is answered with `completed: true` once ' +
      'the worker has verified the hash and staged the file. A finished, aborted or unknown upload answers 404.',
    tags: versionTags,
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
  },
  create_chunked_upload: {
    operationId: 'create_chunked_upload',
    summary: 'Start a chunked upload of a large file',
    tags: versionTags,
    response: { 200: ok(), 400: ErrorBody },
  },
  upload_chunk: {
    operationId: 'upload_chunk',
    summary: 'One chunk of a large file, at a byte offset',
    description:
      'At most SLUICE_MAX_REQUEST_BYTES (413 past it; nothing is stored). Chunks never completed are swept ' +
      'after SLUICE_SPOOL_GRACE_SECONDS.',
    tags: versionTags,
    querystring: query({ offset: optional(Type.Integer({ minimum: 0 })) }),
    consumes: ['application/octet-stream'],
    streamedBody: rawBytes,
    response: { 200: ok(), 400: ErrorBody, 413: ErrorBody },
  },
  complete_chunked_upload: {
    operationId: 'complete_chunked_upload',
    summary: 'Reassemble and verify a chunked upload; with workspace_id, stage it',
    description: `Staging follows the upload's rules.${collisionRule}${quotaRule}`,
    tags: versionTags,
    body: CompleteChunkedBody,
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
  },
  version_metadata: {
    operationId: 'version_metadata',
    summary: 'The size of a version this repository references',
    description:
      'A hash is not a read right: content only other repositories reference is 404, as is content stored nowhere.',
    tags: versionTags,
    response: { 200: ok({ version: Type.Object({ hash: str, size: count }) }), 404: notFound },
  },
  download_versions: {
    operationId: 'download_versions',
    summary: "Many versions at once, as a gzipped tar stream (method QUERY; the client's pull and clone)",
    description:
      'The body is a gzip of `hash\\n` lines, sent with any Content-Type or none. The answer is a gzipped tar ' +
      'with one entry per distinct hash, named by the hash, streamed as it is read from the store (an error on ' +
      'the way cuts the stream short rather than ending the archive). Before anything is sent, hashes this ' +
      'repository does not reference, or that are stored nowhere, make the whole request 404 ' +
      '`version_blobs_missing` with `error.missing_hashes`. At most 100,000 hashes a request.',
    tags: versionTags,
    consumes: ['application/gzip'],
    streamedBody: Type.String({ format: 'binary', description: 'gzip of hash lines' }),
    response: {
      200: bytesAnswer('a gzipped tar, one entry per hash, named by it', 'application/gzip'),
      400: ErrorBody,
      404: errorAnswer('`version_blobs_missing`: `error.missing_hashes` lists what this repository cannot serve'),
    },
  },
  batch_upload: {
    operationId: 'batch_upload',
    summary: 'Store blobs: multipart parts named by their content hash',
    tags: versionTags,
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
  },
} satisfies Record<string, RouteSchema>;
