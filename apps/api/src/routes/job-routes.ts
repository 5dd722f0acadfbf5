import type { FastifyInstance } from 'fastify';
import { SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { commitJobView, jobView } from './job-view.js';
import { commitJobPrefix, isJobId } from '@sluice/queue';
import { routeSchemas } from '../openapi/route-schemas.js';

export function jobRoutes(app: FastifyInstance, { queue, commitQueue }: AppServices): void {
  app.get<{ Params: { jobId: string } }>('/api/jobs/:jobId', { schema: routeSchemas.get_job }, async (request) => {
    const { jobId } = request.params;
    const notFound = new SluiceError('job_not_found', `Job not found: ${jobId}`);
    if (!isJobId(jobId)) throw notFound;
    if (jobId.startsWith(commitJobPrefix)) {
      const job = await commitQueue.getJob(jobId);
      if (!job) throw notFound;
      request.authorize(job.data.namespace, 'read');
      return success('resource_found', { job: await commitJobView(job) });
    }
    const job = await queue.getJob(jobId);
    if (!job) throw notFound;
    request.authorize(job.data.namespace, 'read');
    return success('resource_found', { job: await jobView(job) });
  });
}
