import { ErrorBody, PathList, StageHashesBody } from '@sluice/protocol';
import {
  collisionRule,
  quotaRule,
  fileTags,
  notFound,
  ok,
  sluiceTags,
  type RouteSchema,
  params,
  workspaceParams,
} from '../openapi/schema-kit.js';

const paths = PathList;

export const stageHashes = {
  operationId: 'stage_hashes',
  summary: 'sluice: stage files by content hash, for content the server already holds',
  description:
    'For clients that hash locally: the files whose content is in the version store are staged (or echoed as ' +
    'unchanged against the base commit) without sending their bytes; `missing` lists the paths to upload as ' +
    'usual. At most 5000 files per request (413 beyond).' +
    collisionRule +
    quotaRule,
  tags: [...fileTags, ...sluiceTags],
  params: params({ ...workspaceParams }),
  body: StageHashesBody,
  response: { 200: ok({ paths, missing: paths }), 400: ErrorBody, 404: notFound, 409: ErrorBody, 413: ErrorBody },
} satisfies RouteSchema;
