import type { IncomingMessage } from 'node:http';
import { normalizeRelativePath, SluiceError, type Workspace } from '@sluice/core';
import { ingestJobOptions } from '@sluice/queue';
import type { Upload } from '@sluice/repository';
import type { AppServices } from '../app-services.js';
import { awaitJob, enqueueJob } from '../run-job.js';
import { success } from '../oxen-envelope.js';
import {
  endUpload,
  misplacement,
  receiveUploadPart,
  refuseOverQuota,
  stageKnownContent,
  uploadJob,
} from '@sluice/ingest';
import { ingestDeps } from '../ingest-deps.js';
import type { TypedApp } from '../openapi/schema-kit.js';
import { beginVersionUpload, uploadVersionPart } from './uploads-routes.schema.js';
import { partLength, RequestBody } from '../request-body.js';
import { drainBody } from '../drain-body.js';

/** Every part but the last is this long: large enough that a 1 TiB file is 65,536 parts. */
const uploadPartBytes = 16 * 1024 * 1024;
/** Parts accepted at once, counted from the earliest part not yet stored. */
const uploadPartWindow = 8;
/** The largest file a resumable upload takes (upstream's provisional limit). */
const maxUploadBytes = 1024 ** 4;

/**
 * The resumable upload protocol of newer clients (upstream 0.64 onward, docs/api.md#uploads), on the
 * same spool, queue and worker as the chunked route: begin with the hash and size, send parts in
 * any order within the window, resend any part harmlessly; the part that completes the file is
 * answered once the worker has verified the hash and staged the file at the destination.
 */
export async function uploadsRoutes(app: TypedApp, services: AppServices): Promise<void> {
  const { repos, workspaces, uploads, queue, events, config } = services;
  const base = '/versions/uploads';
  const jobOptions = ingestJobOptions(config.jobRetentionSeconds);

  app.post(base, { schema: beginVersionUpload }, async (request) => {
    const { namespace, repo } = request.params;
    const body = request.body;
    if (!/^[0-9a-f]{1,32}$/.test(body.hash))
      throw new SluiceError('bad_request', '`hash` must be an Oxen content hash');
    const size = body.size;
    if (!Number.isSafeInteger(size) || size > maxUploadBytes) {
      throw new SluiceError(
        'bad_request',
        `\`size\` must be a whole number of bytes from 1 to ` +
          `${maxUploadBytes} (empty files go through an ordinary upload)`,
      );
    }
    let destination: { path: string; workspace: Workspace } | null = null;
    if (body.destination !== undefined && body.destination !== null) {
      const { path, workspace_id: workspaceId } = body.destination;
      destination = {
        path: normalizeRelativePath(path),
        workspace: await workspaces.require(namespace, repo, workspaceId),
      };
    }
    const hash = body.hash;
    // Content this repository already references needs no bytes; another repository's does.
    if ((await repos.referencedContent(namespace, repo, [hash])).size === 1) {
      const staged =
        destination === null
          ? { missing: [] }
          : await stageKnownContent(ingestDeps(services), request.repository, destination.workspace, [
              { path: destination.path, hash },
            ]);
      if (staged.missing.length === 0)
        return success('resource_found', { file: { status: 'already_stored', hash, size } });
    }
    // Past a quota, or where a file cannot go, the upload is refused now, not after its last part.
    if (destination !== null) {
      const { path, workspace } = destination;
      const root = (await services.objects.getCommit(workspace.commitId)).root;
      const misplaced = await misplacement(services, root, { namespace, repo, workspaceId: workspace.id }, [path]);
      if (misplaced !== null) throw new SluiceError('path_conflict', misplaced, { fields: { path } });
      const quotaDeps = { staging: services.staging, quota: config.workspaceQuota };
      await refuseOverQuota(quotaDeps, { namespace, repo, workspaceId: workspace.id }, { path, size });
    }
    const numParts = Math.ceil(size / uploadPartBytes);
    const upload = await uploads.begin({
      namespace,
      repo,
      hash,
      size,
      partSize: uploadPartBytes,
      numParts,
      partWindow: uploadPartWindow,
      destination: destination && { path: destination.path, workspaceId: destination.workspace.id },
    });
    return success('resource_created', {
      file: {
        status: 'awaiting_parts',
        upload_id: upload.id,
        part_size: uploadPartBytes,
        num_parts: numParts,
        part_window: uploadPartWindow,
      },
    });
  });

  // Parts are raw bytes of any (or no) content type: streamed into the spool, never parsed.
  await app.register(async (scope: TypedApp) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.put(
      `${base}/:uploadId/parts/:part`,
      { schema: uploadVersionPart, config: { upload: true } },
      async (request, reply) => {
        const { namespace, repo, uploadId } = request.params;
        const upload = await uploads.get(namespace, repo, uploadId);
        const gone = new SluiceError(
          'resource_not_found',
          `No upload in progress: ${uploadId} (completed, aborted or unknown; begin again)`,
        );
        if (upload === null) throw gone;
        const part = Number(request.params.part);
        if (!Number.isInteger(part) || part < 1 || part > upload.numParts)
          throw new SluiceError('bad_request', `part numbers run from 1 to ${upload.numParts}`);
        const expected =
          part < upload.numParts ? upload.partSize : upload.size - upload.partSize * (upload.numParts - 1);
        const announced = request.headers['content-length'];
        if (announced !== undefined && Number(announced) !== expected) throw partLength(expected);
        const body = request.body as IncomingMessage | undefined;
        if (!body) throw partLength(expected);

        const claim = await uploads.claimPart(upload.id, part);
        if (claim.state === 'unknown') throw gone;
        if (claim.state === 'already_stored') {
          // answered once the bytes are read: a client still sending would lose an earlier answer
          await drainBody(body, reply);
          return success('resource_found', { upload_id: upload.id, part_number: part, completed: false });
        }
        if (claim.state !== 'claimed') {
          reply.header('retry-after', '1');
          throw new SluiceError(
            'too_many_requests',
            claim.state === 'busy'
              ? `part ${part} is being stored by another request`
              : `part ${part} is more than ${upload.partWindow} parts ahead of the earliest part not yet stored`,
          );
        }
        const target = { uploadId: upload.id, part, token: claim.token };
        if (!(await receiveUploadPart(services, target, new RequestBody(body, { exactly: expected }))))
          return success('resource_created', { upload_id: upload.id, part_number: part, completed: false });
        return success('resource_created', {
          upload_id: upload.id,
          part_number: part,
          completed: true,
          ...(await complete(upload, request.repository.uuid)),
        });
      },
    );
  });

  /** Verifies and stages (or only stores) the whole file through an ingest job; the upload ends either way. */
  const complete = async (upload: Upload, repoUuid: string): Promise<{ hash: string; path: string | null }> => {
    const { data, jobId } = uploadJob(upload, repoUuid);
    const job = await enqueueJob(queue, 'ingest', data, jobId, jobOptions, async () => undefined);
    const result = await awaitJob(job, events, config.syncTimeoutSeconds);
    const outcome = result.files[0];
    const failed = outcome !== undefined && 'error' in outcome;
    await endUpload(services, upload, failed);
    if (outcome && 'error' in outcome)
      throw new SluiceError(outcome.error.code, `${outcome.error.message}; the upload is aborted, begin again`);
    return { hash: upload.hash, path: upload.destination?.path ?? null };
  };
}
