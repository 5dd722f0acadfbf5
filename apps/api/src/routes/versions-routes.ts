import type { IncomingMessage } from 'node:http';
import { SluiceError } from '@sluice/core';
import { multipartParts } from '../multipart-parts.js';
import { multipartOnly } from '../plugins/json-text.js';
import { success } from '../oxen-envelope.js';
import { assertContentHash, completeChunkedUpload, receiveChunk, storeVersions, type IngestDeps } from '@sluice/ingest';
import type { TypedApp } from '../openapi/schema-kit.js';
import {
  createChunkedUpload,
  uploadChunk,
  completeChunkedUpload as complete,
  batchUpload,
} from './versions-routes.schema.js';
import { RequestBody } from '../request-body.js';

/**
 * Large files (docs/architecture.md#uploads): chunks are PUT straight into the store as they arrive; completion
 * enqueues one job whose worker reassembles them as a stream, verifies the hash and, given a
 * workspace, stages the file. `POST R/versions` stores hash-named blobs (docs/architecture.md#uploads).
 */
export async function versionsRoutes(app: TypedApp, ingest: IngestDeps): Promise<void> {
  const maxChunkBytes = ingest.limits.maxRequestBytes;
  const base = '/versions';

  app.post(`${base}/:hash/create`, { schema: createChunkedUpload }, async (request) => {
    assertContentHash(request.params.hash);
    return success('resource_found');
  });

  // Chunk bodies are raw bytes of any (or no) content type: stream them, never parse.
  await app.register(async (scope: TypedApp) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.put(`${base}/:hash/chunks`, { schema: uploadChunk, config: { upload: true } }, async (request) => {
      const { namespace, repo } = request.params;
      const hash = assertContentHash(request.params.hash);
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
      await receiveChunk(ingest, chunk, new RequestBody(body, { atMost: maxChunkBytes }));
      return success('resource_created');
    });
  });

  app.post(`${base}/:hash/complete`, { schema: complete }, async (request) => {
    const { namespace, repo } = request.params;
    const hash = assertContentHash(request.params.hash);
    const body = request.body;
    if (body.files.length !== 1) throw new SluiceError('bad_request', 'Expected a single file in the request');
    const file = body.files[0]!;
    // new clients count their chunks, older ones list each chunk's answer; one of the two must come
    const expected = file.num_chunks ?? file.upload_results?.length;
    if (expected === undefined)
      throw new SluiceError('bad_request', 'Missing both num_chunks and upload_results in request');
    const destination =
      typeof body.workspace_id === 'string'
        ? { workspaceId: body.workspace_id, dir: file.dst_dir, name: file.file_name }
        : null;
    const completion = { namespace, repo, repository: request.repository, hash, expected, destination };
    const { path, jobId } = await completeChunkedUpload(ingest, completion);
    return success('resource_found', { hash, path, job_id: jobId });
  });

  await multipartOnly(app, (scope) =>
    scope.post(base, { schema: batchUpload, config: { upload: true } }, async (request) => {
      const { namespace, repo } = request.params;
      const upload = { namespace, repo, repoUuid: request.repository.uuid, parts: multipartParts(request) };
      const failed = await storeVersions(ingest, upload);
      const errFiles = failed.map(({ hash, message }) => ({ hash, path: null, error: message }));
      return success('resource_created', { err_files: errFiles });
    }),
  );
}
