import type { FastifyInstance } from 'fastify';
import { SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { jobView } from './job-view.js';

export function jobRoutes(app: FastifyInstance, { queue }: AppServices): void {
  app.get<{ Params: { jobId: string } }>('/api/jobs/:jobId', async (request) => {
    const job = await queue.getJob(request.params.jobId);
    if (!job) throw new SluiceError('job_not_found', `Job not found: ${request.params.jobId}`);
    return success('resource_found', { job: await jobView(job) });
  });
}
