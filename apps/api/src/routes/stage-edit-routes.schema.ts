import { ErrorBody, MoveBody, PathList } from '@sluice/protocol';
import {
  collisionRule,
  quotaRule,
  fileTags,
  notFound,
  ok,
  optional,
  str,
  type RouteSchema,
  params,
  workspaceParams,
  tailParam,
  typed,
} from '../openapi/schema-kit.js';

const paths = PathList;
const removedAnswer = ok({ paths }, 'the paths whose removal is staged');
const someNotRemoved = ok(
  { paths, status_description: optional(str) },
  'some paths could not be removed: those are listed, with status `error`',
);

export const mv = {
  operationId: 'mv',
  summary: 'Move or rename a file within the workspace',
  tags: fileTags,
  params: params({ ...workspaceParams, ...tailParam }),
  wildcard: 'path',
  description:
    'Stages the new path as added and a committed source as removed (a source only staged is moved). A ' +
    'new_path the base commit holds (file or directory) is 400, as upstream; one staged already is 409 ' +
    '`destination_already_staged`.' +
    collisionRule +
    quotaRule,
  body: typed<MoveBody>(MoveBody),
  response: { 200: ok(), 400: ErrorBody, 404: notFound, 409: ErrorBody, 413: ErrorBody },
} satisfies RouteSchema;

export const rmFiles = {
  operationId: 'rm_files',
  summary: 'Stage removals of committed files and directories',
  description: `A directory stages a removal of every file under it.${quotaRule}`,
  tags: fileTags,
  params: params({ ...workspaceParams }),
  body: PathList,
  response: { 200: removedAnswer, 206: someNotRemoved, 404: notFound, 413: ErrorBody },
} satisfies RouteSchema;

export const rmFilesVersions = {
  operationId: 'rm_files_versions',
  summary: 'Stage removals (deprecated alias of DELETE …/files)',
  tags: fileTags,
  params: params({ ...workspaceParams }),
  deprecated: true,
  body: PathList,
  response: { 200: removedAnswer, 206: someNotRemoved, 404: notFound },
} satisfies RouteSchema;
