import { Type } from 'typebox';
import { CommitView, TreeChangeView, ErrorBody } from '@sluice/protocol';
import {
  commitTags,
  notFound,
  ok,
  optional,
  query,
  str,
  type RouteSchema,
  params,
  repoParams,
} from '../openapi/schema-kit.js';

export const compareTrees = {
  operationId: 'compare_trees',
  summary: 'sluice: the files that differ between two revisions (added, modified, removed), a page at a time',
  description:
    '`base` and `head` are each a branch name or a commit id; `path` (default the root) narrows the ' +
    "comparison to a directory or a file. Entries come in tree order (a directory's children as stored, a " +
    "directory's files after the file of the same name), files only: an added directory is listed as the " +
    'files it holds. Subtrees with the same hash are not opened, so a page costs what its changes cost. ' +
    '`next_after` is null on the last page; otherwise pass it back as `after` (a path relative to `path`) for ' +
    'the next page. `page_size` is 100 by default, at most 10,000.',
  tags: commitTags,
  params: params({ ...repoParams }),
  querystring: query({
    base: Type.String({ minLength: 1 }),
    head: Type.String({ minLength: 1 }),
    path: optional(str),
    after: optional(str),
    page_size: optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  }),
  response: {
    200: ok({
      base_commit: CommitView,
      head_commit: CommitView,
      entries: Type.Array(TreeChangeView),
      next_after: Type.Union([str, Type.Null()]),
    }),
    400: ErrorBody,
    404: notFound,
  },
} satisfies RouteSchema;
