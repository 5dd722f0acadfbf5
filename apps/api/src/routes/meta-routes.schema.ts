import { Type } from 'typebox';
import { errorAnswer } from '@sluice/protocol';
import { count, ok, sluiceTags, str, type RouteSchema } from '../openapi/schema-kit.js';

export const version = {
  operationId: 'version',
  summary: 'The Oxen server version sluice speaks',
  tags: ['Server'],
  response: { 200: ok({ version: str }) },
} satisfies RouteSchema;

export const minVersion = {
  operationId: 'min_version',
  summary: 'The oldest Oxen client version supported',
  tags: ['Server'],
  response: { 200: ok({ version: str }) },
} satisfies RouteSchema;

export const health = {
  operationId: 'health',
  summary: 'Liveness: the process serves HTTP',
  tags: ['Server'],
  response: { 200: ok({ healthy: Type.Boolean() }) },
} satisfies RouteSchema;

export const ready = {
  operationId: 'ready',
  summary: 'Readiness: Redis and the store answer, the store has room, and a worker serves the ingest queue',
  tags: ['Server'],
  response: {
    200: ok({ redis: str, store: str, room: str, free_bytes: Type.Union([count, Type.Null()]), workers: count }),
    503: errorAnswer(
      'not ready (`redis_unavailable`, `store_unavailable`, `storage_full`, `no_workers`), with Retry-After',
    ),
  },
} satisfies RouteSchema;

export const stats = {
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
} satisfies RouteSchema;
