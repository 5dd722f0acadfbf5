import { createHash, randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { SluiceError, stagedPath } from '@sluice/core';
import { ingestJobOptions } from '@sluice/queue';
import type { AppServices } from '../app-services.js';
import { refuseOverQuota, spooledJob, spoolMultipart } from '@sluice/ingest';
import { multipartParts } from '../multipart-parts.js';
import { awaitJob, enqueueJob, type IngestJob } from '../run-job.js';
import { success } from '../oxen-envelope.js';
import { wantsAsync } from '../wants-async.js';
import { jobLocation } from '@sluice/queue';
import { jobView } from './job-view.js';
import type { RequestOf, TypedApp } from '../openapi/schema-kit.js';
import { add } from './upload-route.schema.js';

type UploadRequest = RequestOf<typeof add>;

/**
 * POST .../workspaces/{id}/files/{directory}: the multipart ingest of docs/architecture.md#uploads. The parts are
 * spooled as they arrive, one job is enqueued for the request, and the answer is 200 with `paths`
 * once the worker has staged them (the Oxen contract) or, when asked, 202 with the job at once.
 */
export function uploadRoute(app: TypedApp, services: AppServices): void {
  const { store, queue, events, config } = services;
  const jobOptions = ingestJobOptions(config.jobRetentionSeconds);
  const early = { queue: services.digestQueue, board: services.digestBoard };
  const quotaDeps = { staging: services.staging, quota: config.workspaceQuota };

  const answer = async (request: UploadRequest, reply: FastifyReply, job: IngestJob) => {
    reply.header('x-sluice-job-id', job.id as string);
    if (wantsAsync(request)) {
      reply.header('location', jobLocation(job.id as string));
      return reply.status(202).send(success('resource_created', { job: await jobView(job) }));
    }
    const result = await awaitJob(job, events, config.syncTimeoutSeconds);
    // A quota or a file/directory collision refuses the whole request: say so, rather than 200 with no paths.
    const refused =
      result.paths.length === 0
        ? result.files.find(
            (file) => 'error' in file && (file.error.code === 'quota_exceeded' || file.error.code === 'path_conflict'),
          )
        : undefined;
    if (refused && 'error' in refused) throw new SluiceError(refused.error.code, refused.error.message);
    return success('resource_created', { paths: result.paths, deduplicated: result.deduplicated });
  };

  app.post('/files/*', { schema: add, config: { upload: true } }, async (request: UploadRequest, reply) => {
    const { namespace, repo } = request.params;
    const directory = request.params['*'];
    const workspace = request.workspace;

    const idempotencyKey = request.headers['idempotency-key'];
    let jobId: string = randomUUID();
    if (typeof idempotencyKey === 'string' && idempotencyKey !== '') {
      // the repository's uuid: a key sent again to a repository deleted and created again under
      // the same name is a new upload, never the job of the one that was deleted
      const scope = `${namespace}/${repo}/${request.repository.uuid}/${workspace.id}/${idempotencyKey}`;
      jobId = 'idem-' + createHash('sha256').update(scope).digest('hex').slice(0, 40);
      const existing = await queue.getJob(jobId);
      if (existing) return answer(request, reply, existing);
    }

    // a workspace already at a quota is refused before its upload is read; the worker checks exactly
    await refuseOverQuota(quotaDeps, { namespace, repo, workspaceId: workspace.id });
    const spool = await spoolMultipart(multipartParts(request), {
      store,
      limits: config.limits,
      target: (filename) => ({ path: stagedPath(directory, filename) }),
      durable: wantsAsync(request),
      early,
    });
    if (spool.parts.length === 0) return success('resource_created', { paths: [] });
    const data = spooledJob(spool, { namespace, repo, repoUuid: request.repository.uuid, workspaceId: workspace.id });
    const job = await enqueueJob(queue, 'ingest', data, jobId, jobOptions, () => spool.discard()).catch(
      async (error: unknown) => {
        await spool.discard();
        throw error;
      },
    );
    request.log.debug({ jobId: job.id, parts: spool.parts.length, bytes: spool.bytes }, 'ingest job enqueued');
    return answer(request, reply, job);
  });
}
