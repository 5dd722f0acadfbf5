import { Type } from 'typebox';
import {
  CreateRepoBody,
  ErrorBody,
  errorAnswer,
  RepositoryCreationView,
  RepositoryListView,
  RepositoryShowView,
} from '@sluice/protocol';
import { notFound, ok, repoTags, type RouteSchema, param, params, repoParams, typed } from '../openapi/schema-kit.js';

export const createRepo = {
  operationId: 'create_repo',
  summary: 'Create a repository',
  tags: repoTags,
  body: typed<CreateRepoBody>(CreateRepoBody),
  refusals: { namespace: 'invalid_name', name: 'invalid_name' },
  response: {
    200: ok({ repository: RepositoryCreationView }),
    400: ErrorBody,
    409: errorAnswer('Repo already exists.'),
  },
} satisfies RouteSchema;

export const listRepos = {
  operationId: 'list_repos',
  summary: 'Repositories of a namespace',
  tags: repoTags,
  params: params({ namespace: param('namespace') }),
  response: { 200: ok({ repositories: Type.Array(RepositoryListView) }) },
} satisfies RouteSchema;

export const showRepo = {
  operationId: 'show_repo',
  summary: 'One repository',
  tags: repoTags,
  params: params({ ...repoParams }),
  response: { 200: ok({ repository: RepositoryShowView }), 404: notFound },
} satisfies RouteSchema;

export const deleteRepo = {
  operationId: 'delete_repo',
  summary: 'Delete a repository',
  description:
    'Write access. Removes every key of the repository (branches, commit ids, workspaces and their stages, ' +
    'job results) in bounded batches before answering `resource_deleted`; the name may be created again, ' +
    'afresh. Content is shared by every repository by hash and stays in the store. While a deletion runs (or ' +
    'after one was cut short) creating the name is 409 `repo_being_deleted`; DELETE again finishes a deletion ' +
    'cut short.',
  tags: repoTags,
  params: params({ ...repoParams }),
  response: { 200: ok(), 404: notFound },
} satisfies RouteSchema;
