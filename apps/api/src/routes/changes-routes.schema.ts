import { PathList, StagedChanges } from '@sluice/protocol';
import {
  fileTags,
  notFound,
  ok,
  pageQuery,
  wsTags,
  type RouteSchema,
  params,
  workspaceParams,
  tailParam,
} from '../openapi/schema-kit.js';

export const unstageFile = {
  operationId: 'unstage_file',
  summary: 'Unstage one path (deprecated alias of DELETE …/changes/{path})',
  tags: fileTags,
  params: params({ ...workspaceParams, ...tailParam }),
  wildcard: 'path',
  deprecated: true,
  response: { 200: ok(), 404: notFound },
} satisfies RouteSchema;

export const listRoot = {
  operationId: 'list_root',
  summary: 'Staged changes of the workspace, paginated',
  tags: wsTags,
  params: params({ ...workspaceParams }),
  querystring: pageQuery,
  response: { 200: ok({ staged: StagedChanges }), 404: notFound },
} satisfies RouteSchema;

export const listChanges = {
  operationId: 'list_changes',
  summary: 'Staged changes under a directory, paginated',
  tags: wsTags,
  params: params({ ...workspaceParams, ...tailParam }),
  wildcard: 'path',
  querystring: pageQuery,
  response: { 200: ok({ staged: StagedChanges }), 404: notFound },
} satisfies RouteSchema;

export const unstage = {
  operationId: 'unstage',
  summary: 'Unstage one path',
  tags: wsTags,
  params: params({ ...workspaceParams, ...tailParam }),
  wildcard: 'path',
  response: { 200: ok(), 404: notFound },
} satisfies RouteSchema;

export const unstageMany = {
  operationId: 'unstage_many',
  summary: 'Unstage a list of paths',
  tags: wsTags,
  params: params({ ...workspaceParams }),
  body: PathList,
  response: { 200: ok(), 404: notFound },
} satisfies RouteSchema;

export const unstageManyStaged = {
  operationId: 'unstage_many_staged',
  summary: 'Unstage a list of paths (deprecated alias of DELETE …/changes)',
  tags: wsTags,
  params: params({ ...workspaceParams }),
  deprecated: true,
  body: PathList,
  response: { 200: ok(), 404: notFound },
} satisfies RouteSchema;
