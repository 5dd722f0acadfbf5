import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Job } from 'bullmq';
import { SluiceError, stagedPath } from '@sluice/core';
import { ingestJobOptions, type IngestJobData, type IngestJobResult } from '@sluice/queue';
import type { AppServices } from '../app-services.js';
import { SpoolWriter } from '../spool-writer.js';
import { success } from '../oxen-envelope.js';
import { jobLocation, jobView } from './job-view.js';
import type { WorkspaceParams } from './workspace-routes.js';

type UploadRequest = FastifyRequest<{ Params: WorkspaceParams & { '*': string }; Querystring: { async?: string } }>;
type IngestJob = Job<IngestJobData, IngestJobResult>;

function wantsAsync(request: UploadRequest): boolean {
  const prefer = String(request.headers.prefer ?? '');
  return request.query.async === 'true' || /(^|[,;\s])respond-async($|[,;\s])/i.test(prefer);
}

function isGzip(mimetype: string | undefined): boolean {
  return (mimetype ?? '').split(';')[0]!.trim().toLowerCase() === 'application/gzip';
}

/**
 * POST .../workspaces/{id}/files/{directory}: the multipart ingest of reference §4. The parts are
 * spooled as they arrive, one job is enqueued for the request, and the answer is 200 with `paths`
 * once the worker has staged them (the Oxen contract) or, when asked, 202 with the job at once.
 */
export function uploadRoute(app: FastifyInstance, services: AppServices): void {
  const { repos, workspaces, store, queue, events, config } = services;
  const jobOptions = ingestJobOptions(config.jobRetentionSeconds);

  const answer = async (request: UploadRequest, reply: FastifyReply, job: IngestJob) => {
    if (wantsAsync(request)) {
      reply.header('location', jobLocation(job.id as string));
      return reply.status(202).send(success('resource_created', { job: await jobView(job) }));
    }
    let result: IngestJobResult;
    try {
      result = (await job.waitUntilFinished(events, config.syncTimeoutSeconds * 1000)) as IngestJobResult;
    } catch (error) {
      const timedOut = /timed out|Job wait/i.test((error as Error).message);
      reply.header('location', jobLocation(job.id as string));
      throw new SluiceError(timedOut ? 'job_timeout' : 'job_failed', timedOut
        ? `job ${job.id} is still running; poll ${jobLocation(job.id as string)}`
        : `job ${job.id} failed: ${(error as Error).message}`, { fields: { job_id: job.id } });
    }
    reply.header('x-sluice-job-id', job.id as string);
    return success('resource_created', { paths: result.paths });
  };

  app.post('/api/repos/:namespace/:repo/workspaces/:workspaceId/files/*', async (request: UploadRequest, reply) => {
    const { namespace, repo, workspaceId } = request.params;
    const directory = request.params['*'];
    await repos.require(namespace, repo);
    const workspace = await workspaces.require(namespace, repo, workspaceId);
    if (!request.isMultipart()) throw new SluiceError('not_multipart', 'the request must be multipart/form-data with file[] parts');

    const idempotencyKey = request.headers['idempotency-key'];
    let jobId: string = randomUUID();
    if (typeof idempotencyKey === 'string' && idempotencyKey !== '') {
      jobId = 'idem-' + createHash('sha256').update(`${namespace}/${repo}/${workspace.id}/${idempotencyKey}`).digest('hex').slice(0, 40);
      const existing = await queue.getJob(jobId);
      if (existing) return answer(request, reply, existing);
    }

    const spool = new SpoolWriter(store, randomUUID(), config.limits.maxRequestBytes);
    try {
      for await (const part of request.parts()) {
        if (part.fieldname !== 'file[]' && part.fieldname !== 'file') {
          if (part.type === 'file') part.file.resume();
          continue;
        }
        // busboy makes a filename-less part a file when its Content-Type is not text; either way it has no name.
        if (part.type !== 'file' || typeof part.filename !== 'string') {
          throw new SluiceError('missing_filename', 'Missing hash in multipart request: a file part has no filename');
        }
        await spool.add(stagedPath(directory, part.filename), isGzip(part.mimetype), part.file);
      }
      await spool.finish();
    } catch (error) {
      await spool.discard();
      throw error;
    }
    if (spool.parts.length === 0) return success('resource_created', { paths: [] });

    const data: IngestJobData = { namespace, repo, workspaceId: workspace.id, spoolKeys: spool.keys, parts: spool.parts, bytes: spool.bytes };
    let job: IngestJob;
    try {
      job = await queue.add('ingest', data, { ...jobOptions, jobId });
    } catch (error) {
      await spool.discard();
      throw error;
    }
    if (jobId.startsWith('idem-')) {
      // A concurrent request with the same Idempotency-Key may have won: its job stands, our spool goes.
      // (add() returns a Job built from our data either way, so read back what was stored.)
      const stored = await queue.getJob(jobId);
      if (stored && stored.data.spoolKeys[0] !== spool.keys[0]) {
        await spool.discard();
        job = stored;
      }
    }
    request.log.debug({ jobId: job.id, parts: spool.parts.length, bytes: spool.bytes }, 'ingest job enqueued');
    return answer(request, reply, job);
  });
}
