import { bytesAnswer, sluiceTags, type RouteSchema } from '../openapi/schema-kit.js';

export const metrics = {
  operationId: 'metrics',
  summary: 'sluice: Prometheus metrics of this process (admin)',
  tags: sluiceTags,
  response: { 200: bytesAnswer('Prometheus text exposition format', 'text/plain') },
} satisfies RouteSchema;
