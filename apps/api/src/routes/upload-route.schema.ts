import { Type } from 'typebox';
import { errorAnswer, PathList, IngestJobView } from '@sluice/protocol';
import {
  asyncQuery,
  collisionRule,
  quotaRule,
  fileTags,
  jobAccepted,
  multipartFiles,
  ok,
  optional,
  uploadHeaders,
  type RouteSchema,
  params,
  workspaceParams,
  tailParam,
} from '../openapi/schema-kit.js';

const paths = PathList;

export const add = {
  operationId: 'add',
  summary: 'Add files to workspace',
  description:
    'Upload and stage files to a workspace. Accepts a multipart body with gzipped (`Content-Type: ' +
    'application/gzip`) or uncompressed file parts; the filename of each part is its path under {path}, and ' +
    'the server computes each hash (xxh3-128). One invalid path (absolute, `..`, NUL, or past 4096 bytes once ' +
    'normalized: the rule of every route that names a path) fails the whole request and stages nothing. The ' +
    'answer lists the staged paths in request order; a part that fails alone (corrupt gzip, inflate limits) ' +
    'is left out. sluice extensions: `Prefer: respond-async` or `?async=true` answers 202 with a job once the ' +
    'upload is durable; `Idempotency-Key` makes a retry return the same job.' +
    collisionRule +
    quotaRule,
  tags: fileTags,
  params: params({ ...workspaceParams, ...tailParam }),
  wildcard: 'path',
  headers: uploadHeaders,
  querystring: asyncQuery,
  consumes: ['multipart/form-data'],
  streamedBody: multipartFiles,
  response: {
    200: ok(
      {
        paths,
        deduplicated: optional(
          Type.Integer({
            minimum: 0,
            description:
              'sluice: how many of the staged files had content this repository already referenced, or an ' +
              'earlier file of the request had (as the job reports it)',
          }),
        ),
      },
      'File successfully uploaded to workspace',
    ),
    202: jobAccepted(IngestJobView),
    400: errorAnswer('Invalid upload request'),
    404: errorAnswer('Workspace not found'),
    409: errorAnswer('path_conflict: a file would share its path with a directory'),
    413: errorAnswer('Too many parts, body too large, or the workspace quota would be passed'),
    503: errorAnswer('Redis or the store is unreachable; retry after Retry-After'),
    504: errorAnswer('sluice: the job outlived SLUICE_SYNC_TIMEOUT_SECONDS; poll the job in Location'),
  },
} satisfies RouteSchema;
