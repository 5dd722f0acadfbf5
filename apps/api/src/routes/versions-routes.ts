import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { normalizeRelativePath, SluiceError, type Workspace } from '@sluice/core';
import { ingestJobOptions } from '@sluice/queue';
import type { AppServices } from '../app-services.js';
import { multipartParts } from '../multipart-parts.js';
import { multipartOnly } from '../plugins/json-text.js';
import { awaitJob, enqueueJob } from '../run-job.js';
import { success } from '../oxen-envelope.js';
import { completeChunkedFile, receiveChunk, spooledJob, spoolMultipart } from '@sluice/ingest';
import { ingestDeps } from '../ingest-deps.js';
import type { TypedApp } from '../openapi/schema-kit.js';
import { createChunkedUpload, uploadChunk, completeChunkedUpload, batchUpload } from './versions-routes.schema.js';
import { RequestBody } from '../request-body.js';

function assertHash(hash: string): string {
  if (!/^[0-9a-f]{1,32}$/.test(hash)) throw new SluiceError('bad_request', `not an Oxen content hash: ${hash}`);
  return hash;
}

/**
 * Upstream's lenient destination (docs/architecture.md#uploads): only normal segments of dir and name are kept,
 * then the one path check of every route.
 */
function destination(dir: string | null | undefined, name: string): string {
  const segments = `${dir ?? ''}/${name}`.split('/').filter((s) => s !== '' && s !== '.' && s !== '..');
  return normalizeRelativePath(segments.join('/'), () => `destination for ${JSON.stringify(name).slice(0, 200)}`);
}

/**
 * Large files (docs/architecture.md#uploads): chunks are PUT straight into the store as they arrive; completion
 * enqueues one job whose worker reassembles them as a stream, verifies the hash and, given a
 * workspace, stages the file. `POST R/versions` stores hash-named blobs (docs/architecture.md#uploads).
 */
export async function versionsRoutes(app: TypedApp, services: AppServices): Promise<void> {
  const { workspaces, store, queue, events, config } = services;
  const maxChunkBytes = config.limits.maxRequestBytes;
  const early = { queue: services.digestQueue, board: services.digestBoard };
  const base = '/versions';
  const jobOptions = ingestJobOptions(config.jobRetentionSeconds);

  app.post(`${base}/:hash/create`, { schema: createChunkedUpload }, async (request) => {
    assertHash(request.params.hash);
    return success('resource_found');
  });

  // Chunk bodies are raw bytes of any (or no) content type: stream them, never parse.
  await app.register(async (scope: TypedApp) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.put(`${base}/:hash/chunks`, { schema: uploadChunk, config: { upload: true } }, async (request) => {
      const { namespace, repo } = request.params;
      const hash = assertHash(request.params.hash);
      const offset = Number(request.query.offset ?? 'x');
      if (!Number.isSafeInteger(offset) || offset < 0)
        throw new SluiceError('bad_request', 'offset must be a whole number of bytes');
      const announced = Number(request.headers['content-length']);
      if (announced > maxChunkBytes)
        throw new SluiceError(
          'request_too_large',
          `this chunk announces ${announced} bytes; the limit is SLUICE_MAX_REQUEST_BYTES (${maxChunkBytes})`,
        );
      const body = request.body as IncomingMessage | undefined;
      if (!body) throw new SluiceError('bad_request', 'a chunk needs a body');
      const chunk = { namespace, repo, hash, offset };
      await receiveChunk(ingestDeps(services), chunk, new RequestBody(body, { atMost: maxChunkBytes }));
      return success('resource_created');
    });
  });

  app.post(`${base}/:hash/complete`, { schema: completeChunkedUpload }, async (request) => {
    const { namespace, repo } = request.params;
    const hash = assertHash(request.params.hash);
    const body = request.body;
    if (body.files.length !== 1) throw new SluiceError('bad_request', 'Expected a single file in the request');
    const file = body.files[0]!;
    // new clients count their chunks, older ones list each chunk's answer; one of the two must come
    const expected = file.num_chunks ?? file.upload_results?.length;
    if (expected === undefined)
      throw new SluiceError('bad_request', 'Missing both num_chunks and upload_results in request');
    let target: { workspace: Workspace; path: string } | null = null;
    if (typeof body.workspace_id === 'string') {
      const workspace = await workspaces.find(namespace, repo, body.workspace_id);
      if (workspace === null)
        throw new SluiceError('workspace_not_found', `Workspace not found: ${body.workspace_id}`, {
          statusMessage: `Workspace not found: ${body.workspace_id}`,
        });
      target = { workspace, path: destination(file.dst_dir, file.file_name) };
    }
    const path = target?.path ?? null;
    const completion = { namespace, repo, repository: request.repository, hash, expected, destination: target };
    const outcome = await completeChunkedFile(ingestDeps(services), completion);
    if (outcome.kind === 'already_stored') return success('resource_found', { hash, path, job_id: null });
    const { data, jobId } = outcome;
    const job = await enqueueJob(queue, 'ingest', data, jobId, jobOptions, async () => undefined);
    const result = await awaitJob(job, events, config.syncTimeoutSeconds);
    const failed = result.files[0];
    if (failed && 'error' in failed) throw new SluiceError(failed.error.code, failed.error.message);
    return success('resource_found', { hash, path, job_id: job.id });
  });

  await multipartOnly(app, (scope) =>
    scope.post(base, { schema: batchUpload, config: { upload: true } }, async (request) => {
      const { namespace, repo } = request.params;
      const spool = await spoolMultipart(multipartParts(request), {
        store,
        limits: config.limits,
        target: (filename) => ({ path: assertHash(filename), expectHash: filename }),
        durable: false,
        early,
      });
      if (spool.parts.length === 0) return success('resource_created', { err_files: [] });
      const data = spooledJob(spool, { namespace, repo, repoUuid: request.repository.uuid, workspaceId: null });
      const job = await enqueueJob(queue, 'ingest', data, randomUUID(), jobOptions, () => spool.discard()).catch(
        async (error: unknown) => {
          await spool.discard();
          throw error;
        },
      );
      const result = await awaitJob(job, events, config.syncTimeoutSeconds);
      const errFiles = result.files.flatMap((f) =>
        'error' in f ? [{ hash: f.path, path: null, error: f.error.message }] : [],
      );
      return success('resource_created', { err_files: errFiles });
    }),
  );
}
