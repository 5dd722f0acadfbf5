import { Type } from 'typebox';
import { ErrorBody } from '@sluice/protocol';
import {
  bytesAnswer,
  commitTags,
  notFound,
  optional,
  query,
  type RouteSchema,
  params,
  repoParams,
  tailParam,
} from '../openapi/schema-kit.js';

export const getArchive = {
  operationId: 'get_archive',
  summary: 'Every file under a directory at a revision, as one streamed tar (plain, or gzipped with `gzip=true`)',
  description:
    'The wildcard is the revision (a branch name, which may hold slashes, or a commit id) then the path, ' +
    'as for `file` and `dir`; an empty path is the whole tree. The answer is a POSIX tar (`application/x-tar`, or ' +
    '`application/gzip` with `gzip=true`), streamed as it is read: one regular-file entry per file under the path, ' +
    "named relative to it (a path naming a file gives one entry, its base name), mode 0644, mtime the commit's " +
    'timestamp, and a pax extended header record `SLUICE.hash=<hash>` (the Oxen hash, xxh3-128 hex) on every ' +
    "entry. Order: depth first, each directory's children sorted by name in byte (UTF-8) order, so a file's " +
    'path compares segment by segment. `after=<relative path>` resumes a cut download: only the entries that ' +
    'come after that path in this order (it need not exist). An error midway cuts the stream (no end-of-archive ' +
    'blocks), never a short file. 404 for an unknown revision or path, before anything is sent.',
  tags: commitTags,
  params: params({ ...repoParams, ...tailParam }),
  wildcard: 'revision_and_path',
  querystring: query({
    gzip: optional(Type.Boolean({ description: '`true`: the tar gzipped' })),
    after: optional(
      Type.String({ maxLength: 8192, description: 'a path relative to the requested directory: resume after it' }),
    ),
  }),
  response: {
    200: {
      description: 'the tar stream, with oxen-revision-id',
      content: {
        'application/x-tar': { schema: { type: 'string', format: 'binary' } },
        'application/gzip': { schema: { type: 'string', format: 'binary' } },
      },
    } as unknown as ReturnType<typeof bytesAnswer>,
    400: ErrorBody,
    404: notFound,
  },
} satisfies RouteSchema;
