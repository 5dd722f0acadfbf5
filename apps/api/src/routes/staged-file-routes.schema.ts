import {
  bytesAnswer,
  fileTags,
  notFound,
  type RouteSchema,
  params,
  workspaceParams,
  tailParam,
} from '../openapi/schema-kit.js';

export const getWorkspaceFile = {
  operationId: 'get_workspace_file',
  summary: 'A staged file (or the base commit’s), streamed with its mime type and Content-Length',
  tags: fileTags,
  params: params({ ...workspaceParams, ...tailParam }),
  wildcard: 'path',
  response: { 200: bytesAnswer('the file content'), 404: notFound },
} satisfies RouteSchema;
