import { Type } from 'typebox';
import { Opaque } from '@sluice/protocol';
import { bytesAnswer, count, ok, optional, query, sluiceTags, str, type RouteSchema } from '../openapi/schema-kit.js';

export const ui = {
  operationId: 'ui',
  summary: 'sluice: the live ingest page (asks for an admin token when auth is on)',
  tags: sluiceTags,
  response: { 200: bytesAnswer('an HTML page', 'text/html') },
} satisfies RouteSchema;

export const dashboard = {
  operationId: 'dashboard',
  summary:
    'sluice: what /ui shows: running totals, queue depth, workers, ' +
    'recent jobs, staged counts of their workspaces (admin)',
  tags: sluiceTags,
  querystring: query({ page: optional(Type.Integer({ minimum: 1 })) }),
  response: {
    200: ok({
      time: Type.Integer({ description: 'server time, ms since the epoch' }),
      totals: Type.Object({ files: count, bytes: count, failed: count, commits: count }),
      history: Type.Array(
        Type.Object({
          time: Type.Integer(),
          files_per_second: Type.Number({ minimum: 0 }),
          bytes_per_second: Type.Number({ minimum: 0 }),
        }),
        {
          description:
            'ingest rates of the last five minutes, one per interval, ' +
            'oldest first, as this API node sampled the totals',
        },
      ),
      workers: count,
      queues: Type.Object({ ingest: Type.Record(str, count), commit: Type.Record(str, count) }),
      recent_jobs: Type.Array(Opaque),
      page: Type.Integer({ minimum: 1 }),
      more_jobs: Type.Boolean(),
      workspaces: Type.Array(
        Type.Object({ namespace: str, repo_name: str, workspace_id: str, staged_files: count, staged_bytes: count }),
      ),
    }),
  },
} satisfies RouteSchema;
