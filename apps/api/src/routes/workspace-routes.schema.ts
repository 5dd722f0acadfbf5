import { Type } from 'typebox';
import { ErrorBody, WorkspaceBody, WorkspaceView } from '@sluice/protocol';
import {
  notFound,
  ok,
  optional,
  query,
  wsTags,
  type RouteSchema,
  params,
  repoParams,
  workspaceParams,
  typed,
} from '../openapi/schema-kit.js';

export const getOrCreateWorkspace = {
  operationId: 'get_or_create_workspace',
  summary: 'Get or create a workspace on a branch',
  tags: wsTags,
  params: params({ ...repoParams }),
  body: typed<WorkspaceBody>(WorkspaceBody),
  response: { 200: ok({ workspace: WorkspaceView }), 400: ErrorBody, 404: notFound },
} satisfies RouteSchema;

export const getOrCreateWorkspacePost = {
  ...getOrCreateWorkspace,
  operationId: 'get_or_create_workspace_post',
  summary: 'Get or create a workspace (deprecated alias of PUT)',
  deprecated: true,
} satisfies RouteSchema;

export const listWorkspaces = {
  operationId: 'list_workspaces',
  summary: 'Workspaces of a repository',
  tags: wsTags,
  params: params({ ...repoParams }),
  querystring: query({ name: optional(Type.String({ description: 'only the workspace with this name' })) }),
  response: { 200: ok({ workspaces: Type.Array(WorkspaceView) }), 404: notFound },
} satisfies RouteSchema;

export const getWorkspace = {
  operationId: 'get_workspace',
  summary: 'One workspace, by id or name',
  tags: wsTags,
  params: params({ ...workspaceParams }),
  response: { 200: ok({ workspace: WorkspaceView }), 404: notFound },
} satisfies RouteSchema;

export const deleteWorkspace = {
  operationId: 'delete_workspace',
  summary: 'Delete a workspace and its stage',
  tags: wsTags,
  params: params({ ...workspaceParams }),
  response: { 200: ok({ workspace: WorkspaceView }), 404: notFound },
} satisfies RouteSchema;

export const validate = {
  operationId: 'validate',
  summary: 'Pre-upload check: the workspace exists',
  tags: wsTags,
  params: params({ ...workspaceParams }),
  response: { 200: ok(), 404: notFound },
} satisfies RouteSchema;
