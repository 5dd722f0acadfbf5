import { Type } from 'typebox';
import { BranchView, CommitView, ErrorBody, MetadataEntry, pageFields } from '@sluice/protocol';
import {
  bytesAnswer,
  commitTags,
  count,
  notFound,
  ok,
  optional,
  pageQuery,
  query,
  str,
  type RouteSchema,
  params,
  repoParams,
  tailParam,
} from '../openapi/schema-kit.js';

const dirAnswer = ok({
  dir: Type.Union([MetadataEntry, Type.Null()]),
  entries: Type.Array(MetadataEntry),
  resource: Type.Object({ path: str, version: str }),
  metadata: Type.Null(),
  ...pageFields,
});

export const getFile = {
  operationId: 'get_file',
  summary: 'Committed content at a revision (a branch name or a commit id, then the path)',
  tags: commitTags,
  params: params({ ...repoParams, ...tailParam }),
  wildcard: 'revision_and_path',
  response: { 200: bytesAnswer('the file content, with oxen-revision-id'), 404: notFound },
} satisfies RouteSchema;

export const getMeta = {
  operationId: 'get_meta',
  summary: 'One file or directory at a revision, as `oxen download` asks for it before the content',
  description:
    'Answers `entry` exactly as `dir` lists it (the client reads it as a strict `MetadataEntry`: an entry ' +
    'with any other field is taken for a workspace entry and refused). The client then fetches a file up to ' +
    '10 MiB by `file/…`, a larger one by `chunk/…`, and checks it against `hash`.',
  tags: commitTags,
  params: params({ ...repoParams, ...tailParam }),
  wildcard: 'revision_and_path',
  response: { 200: ok({ entry: MetadataEntry }), 404: notFound },
} satisfies RouteSchema;

export const getChunk = {
  operationId: 'get_chunk',
  summary: 'A byte range of a committed file (`oxen download` of a file over 10 MiB), raw bytes',
  description:
    "`chunk_start` (default 0) and `chunk_size` (default 10 MiB, upstream's segment) in bytes; a range past " +
    'the end of the file is cut short there.',
  tags: commitTags,
  params: params({ ...repoParams, ...tailParam }),
  wildcard: 'revision_and_path',
  querystring: query({
    chunk_start: optional(count),
    chunk_size: optional(Type.Integer({ minimum: 1, maximum: 256 * 1024 * 1024 })),
  }),
  response: { 200: bytesAnswer('the bytes of the range'), 400: ErrorBody, 404: notFound },
} satisfies RouteSchema;

export const listDir = {
  operationId: 'list_dir',
  summary: 'Directory listing at a revision (a branch name or a commit id, then the path), a page at a time',
  tags: commitTags,
  params: params({ ...repoParams, ...tailParam }),
  wildcard: 'revision_and_path',
  querystring: pageQuery,
  response: { 200: dirAnswer, 400: ErrorBody, 404: notFound },
} satisfies RouteSchema;

export const listCommitHistory = {
  operationId: 'list_commit_history',
  summary: 'The log of a revision (and, after it, of one path), newest first, a page at a time',
  tags: commitTags,
  params: params({ ...repoParams, ...tailParam }),
  wildcard: 'revision_and_path',
  querystring: pageQuery,
  response: { 200: ok({ commits: Type.Array(CommitView), ...pageFields }), 400: ErrorBody, 404: notFound },
} satisfies RouteSchema;

export const getRevision = {
  operationId: 'get_revision',
  summary: 'A revision resolved to its commit, and its branch when it names one',
  tags: commitTags,
  params: params({ ...repoParams, ...tailParam }),
  wildcard: 'revision',
  response: {
    200: ok({
      resource: Type.Object({
        workspace: Type.Null(),
        commit: CommitView,
        branch: Type.Union([BranchView, Type.Null()]),
        path: str,
        version: str,
        resource: str,
      }),
    }),
    404: notFound,
  },
} satisfies RouteSchema;
