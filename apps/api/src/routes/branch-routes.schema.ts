import { Type } from 'typebox';
import { BranchView, CreateBranchBody, ErrorBody, UpdateBranchBody } from '@sluice/protocol';
import {
  commitTags,
  notFound,
  ok,
  type RouteSchema,
  params,
  repoParams,
  tailParam,
  typed,
} from '../openapi/schema-kit.js';

export const listBranches = {
  operationId: 'list_branches',
  summary: 'Branches',
  tags: commitTags,
  params: params({ ...repoParams }),
  response: { 200: ok({ branches: Type.Array(BranchView) }), 404: notFound },
} satisfies RouteSchema;

export const createBranch = {
  operationId: 'create_branch',
  summary: 'Create a branch from a branch (`from_name`) or a commit (`commit_id`)',
  description:
    'The body is read as `{new_name, from_name}` first, then as `{new_name, commit_id}`, as upstream does. ' +
    'With `from_name`, a branch that exists already is answered 200 `resource_found`, unchanged (clients use ' +
    'it as get or create). With `commit_id`, a branch that exists at that commit is found, one at another ' +
    'commit is 409 `branch_exists` and is not moved.',
  tags: commitTags,
  params: params({ ...repoParams }),
  body: typed<CreateBranchBody>(CreateBranchBody),
  response: { 200: ok({ branch: BranchView }), 400: ErrorBody, 404: notFound, 409: ErrorBody },
} satisfies RouteSchema;

export const updateBranch = {
  operationId: 'update_branch',
  summary: "Move a branch to one of the repository's commits",
  tags: commitTags,
  params: params({ ...repoParams, ...tailParam }),
  wildcard: 'branch_name',
  body: typed<UpdateBranchBody>(UpdateBranchBody),
  response: { 200: ok({ branch: BranchView }), 400: ErrorBody, 404: notFound },
} satisfies RouteSchema;

export const deleteBranch = {
  operationId: 'delete_branch',
  summary: 'Delete a branch',
  description:
    "Answers the branch as it was, `resource_deleted`. `main` (the default branch) and a repository's only " +
    'branch are kept: 409 `branch_protected`, nothing changed. Commits stay; workspaces are based on a ' +
    'commit, not a branch, and keep theirs.',
  tags: commitTags,
  params: params({ ...repoParams, ...tailParam }),
  wildcard: 'branch_name',
  response: { 200: ok({ branch: BranchView }), 404: notFound, 409: ErrorBody },
} satisfies RouteSchema;

export const showBranch = {
  operationId: 'show_branch',
  summary: 'One branch',
  tags: commitTags,
  params: params({ ...repoParams, ...tailParam }),
  wildcard: 'branch_name',
  response: { 200: ok({ branch: BranchView }), 404: notFound },
} satisfies RouteSchema;
