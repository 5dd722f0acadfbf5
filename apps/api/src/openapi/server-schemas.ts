import { Type } from 'typebox';
import { errorAnswer, JobView, Opaque } from '@sluice/protocol';
import { bytesAnswer, count, notFound, ok, optional, query, sluiceTags, str, type RouteSchema } from './schema-kit.js';

/** The server itself: version, health, readiness, and the operator pages and counts. */
export const serverSchemas = {
  version: {
    operationId: 'version',
    summary: 'The Oxen server version sluice speaks',
    tags: ['Server'],
    response: { 200: ok({ version: str }) },
  },
  min_version: {
    operationId: 'min_version',
    summary: 'The oldest Oxen client version supported',
    tags: ['Server'],
    response: { 200: ok({ version: str }) },
  },
  health: {
    operationId: 'health',
    summary: 'Liveness: the process serves HTTP',
    tags: ['Server'],
    response: { 200: ok({ healthy: Type.Boolean() }) },
  },
  ready: {
    operationId: 'ready',
    summary: 'Readiness: Redis and the store answer, the store has room, and a worker serves the ingest queue',
    tags: ['Server'],
    response: {
      200: ok({ redis: str, store: str, room: str, free_bytes: Type.Union([count, Type.Null()]), workers: count }),
      503: errorAnswer(
        'not ready (`redis_unavailable`, `store_unavailable`, `storage_full`, `no_workers`), with Retry-After',
      ),
    },
  },
  stats: {
    operationId: 'stats',
    summary: "sluice: this process's object-store request counts (admin)",
    tags: sluiceTags,
    response: {
      200: ok({
        store_requests: Type.Record(str, Type.Record(str, count), {
          description: 'requests by key area (versions, packs, spool, …), then by operation',
        }),
      }),
    },
  },
  ui: {
    operationId: 'ui',
    summary: 'sluice: the live ingest page (asks for an admin token when auth is on)',
    tags: sluiceTags,
    response: { 200: bytesAnswer('an HTML page', 'text/html') },
  },
  dashboard: {
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
  },
  metrics: {
    operationId: 'metrics',
    summary: 'sluice: Prometheus metrics of this process (admin)',
    tags: sluiceTags,
    response: { 200: bytesAnswer('Prometheus text exposition format', 'text/plain') },
  },
  get_job: {
    operationId: 'get_job',
    summary: 'sluice: an upload or commit job: state, progress, per-file results',
    tags: sluiceTags,
    response: { 200: ok({ job: JobView }), 404: notFound },
  },
} satisfies Record<string, RouteSchema>;
