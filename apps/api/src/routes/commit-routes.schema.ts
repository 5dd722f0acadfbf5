import { CommitView } from '@sluice/protocol';
import { commitTags, notFound, ok, str, type RouteSchema, param, params, repoParams } from '../openapi/schema-kit.js';

export const showCommit = {
  operationId: 'show_commit',
  summary: 'One commit',
  tags: commitTags,
  params: params({ ...repoParams, commitId: param('commitId') }),
  response: { 200: ok({ commit: CommitView }), 404: notFound },
} satisfies RouteSchema;

export const completeCommit = {
  operationId: 'complete_commit',
  summary: 'Hook the client calls after a commit',
  tags: commitTags,
  params: params({ ...repoParams, commitId: param('commitId') }),
  response: { 200: ok({ commit: CommitView }), 404: notFound },
} satisfies RouteSchema;

export const action = {
  operationId: 'action',
  summary: 'Client notification hook (started, completed)',
  tags: commitTags,
  params: params({ ...repoParams, state: param('state'), action: param('action') }),
  response: { 200: ok({ action: str, state: str }) },
} satisfies RouteSchema;

export const actionGet = {
  operationId: 'action_get',
  summary: 'Client notification hook (started, completed)',
  tags: commitTags,
  params: params({ ...repoParams, state: param('state'), action: param('action') }),
  response: { 200: ok({ action: str, state: str }) },
} satisfies RouteSchema;
