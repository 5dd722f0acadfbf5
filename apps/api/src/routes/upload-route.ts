import { uploadFiles, type IngestDeps } from '@sluice/ingest';
import { multipartParts } from '../multipart-parts.js';
import { success } from '../oxen-envelope.js';
import { wantsAsync } from '../wants-async.js';
import { jobLocation } from '@sluice/queue';
import { jobView } from './job-view.js';
import type { TypedApp } from '../openapi/schema-kit.js';
import { add } from './upload-route.schema.js';

/**
 * POST .../workspaces/{id}/files/{directory}: the multipart ingest of docs/architecture.md#uploads (uploadFiles).
 * The answer is 200 with `paths` once the worker has staged them (the Oxen contract) or, when asked,
 * 202 with the job at once; either names the job in `x-sluice-job-id`.
 */
export function uploadRoute(app: TypedApp, ingest: IngestDeps): void {
  app.post('/files/*', { schema: add, config: { upload: true } }, async (request, reply) => {
    const { namespace, repo } = request.params;
    const idempotencyKey = request.headers['idempotency-key'];
    const outcome = await uploadFiles(ingest, {
      namespace,
      repo,
      repoUuid: request.repository.uuid,
      workspaceId: request.workspace.id,
      directory: request.params['*'],
      idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
      async: wantsAsync(request),
      parts: () => multipartParts(request),
      onJob: (jobId) => reply.header('x-sluice-job-id', jobId),
    });
    if (outcome.kind === 'no_files') return success('resource_created', { paths: [] });
    if (outcome.kind === 'accepted') {
      reply.header('location', jobLocation(outcome.job.id as string));
      return reply.status(202).send(success('resource_created', { job: await jobView(outcome.job) }));
    }
    return success('resource_created', { paths: outcome.paths, deduplicated: outcome.deduplicated });
  });
}
