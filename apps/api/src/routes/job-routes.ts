import type { FastifyRequest } from 'fastify';
import { SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { commitJobView, jobView } from './job-view.js';
import { commitJobPrefix, isJobId } from '@sluice/queue';
import type { TypedApp } from '../openapi/schema-kit.js';
import { getJob } from './job-routes.schema.js';

/**
 * A job the caller may not read is answered exactly as one that does not exist: ids derived from
 * content or from an idempotency key (`chunks-…`, `idem-…`) can be computed by anyone, and a 403
 * would confirm another tenant's upload.
 */
function readableBy(request: FastifyRequest, namespace: string): boolean {
  try {
    request.authorize(namespace, 'read');
    return true;
  } catch {
    return false;
  }
}

export function jobRoutes(app: TypedApp, { queue, commitQueue }: AppServices): void {
  app.get('/api/jobs/:jobId', { schema: getJob }, async (request) => {
    const { jobId } = request.params;
    const notFound = new SluiceError('job_not_found', `Job not found: ${jobId}`);
    if (!isJobId(jobId)) throw notFound;
    if (jobId.startsWith(commitJobPrefix)) {
      const job = await commitQueue.getJob(jobId);
      if (!job || !readableBy(request, job.data.namespace)) throw notFound;
      return success('resource_found', { job: await commitJobView(job) });
    }
    const job = await queue.getJob(jobId);
    if (!job || !readableBy(request, job.data.namespace)) throw notFound;
    return success('resource_found', { job: await jobView(job) });
  });
}
