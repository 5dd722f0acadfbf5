import { JobView } from '@sluice/protocol';
import { notFound, ok, sluiceTags, type RouteSchema, param, params } from '../openapi/schema-kit.js';

export const getJob = {
  operationId: 'get_job',
  summary: 'sluice: an upload or commit job: state, progress, per-file results',
  tags: sluiceTags,
  params: params({ jobId: param('jobId') }),
  response: { 200: ok({ job: JobView }), 404: notFound },
} satisfies RouteSchema;
