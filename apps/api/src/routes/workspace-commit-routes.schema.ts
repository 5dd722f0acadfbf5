import { Type } from 'typebox';
import { CommitBody, CommitJobView, CommitView, ErrorBody, errorAnswer } from '@sluice/protocol';
import {
  asyncHeaders,
  commitTags,
  jobAccepted,
  notFound,
  ok,
  str,
  type RouteSchema,
  params,
  workspaceParams,
  tailParam,
  typed,
} from '../openapi/schema-kit.js';

const commitAnswers = {
  200: ok({ commit: CommitView }),
  202: jobAccepted(CommitJobView),
  400: ErrorBody,
  404: notFound,
  409: errorAnswer('Workspace is behind'),
  422: errorAnswer('NoChanges: nothing is staged'),
};

export const commit = {
  operationId: 'commit',
  summary: 'Commit the workspace onto a branch',
  description:
    'The new commit’s parent is the branch head. A staged file changed on the branch since the workspace’s ' +
    'base is a conflict (409). `Prefer: respond-async` (sluice) answers 202 with a commit job.',
  tags: commitTags,
  params: params({ ...workspaceParams, ...tailParam }),
  wildcard: 'branch',
  headers: Type.Object(asyncHeaders),
  body: typed<CommitBody>(CommitBody),
  response: commitAnswers,
} satisfies RouteSchema;

export const commitDeprecated = {
  operationId: 'commit_deprecated',
  summary: 'Commit the workspace (deprecated alias of …/merge/{branch})',
  tags: commitTags,
  params: params({ ...workspaceParams, ...tailParam }),
  wildcard: 'branch',
  deprecated: true,
  headers: Type.Object(asyncHeaders),
  body: typed<CommitBody>(CommitBody),
  response: commitAnswers,
} satisfies RouteSchema;

export const mergeability = {
  operationId: 'mergeability',
  summary: 'Whether the workspace can be committed onto the branch',
  tags: commitTags,
  params: params({ ...workspaceParams, ...tailParam }),
  wildcard: 'branch',
  response: {
    200: ok({
      is_mergeable: Type.Boolean(),
      conflicts: Type.Array(Type.Object({ path: str })),
      commits: Type.Array(CommitView),
    }),
    404: notFound,
  },
} satisfies RouteSchema;
