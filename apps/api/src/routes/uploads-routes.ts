import type { IncomingMessage } from 'node:http';
import { beginResumableUpload, receiveResumablePart, type IngestDeps } from '@sluice/ingest';
import { success } from '../oxen-envelope.js';
import type { TypedApp } from '../openapi/schema-kit.js';
import { beginVersionUpload, uploadVersionPart } from './uploads-routes.schema.js';
import { RequestBody } from '../request-body.js';
import { drainBody } from '../drain-body.js';

/**
 * The resumable upload protocol of newer clients (upstream 0.64 onward, docs/api.md#uploads), on the
 * same spool, queue and worker as the chunked route: begin with the hash and size (beginResumableUpload),
 * send parts in any order within the window (receiveResumablePart); the part that completes the file
 * is answered once the worker has verified the hash and staged the file at the destination.
 */
export async function uploadsRoutes(app: TypedApp, ingest: IngestDeps): Promise<void> {
  const base = '/versions/uploads';

  app.post(base, { schema: beginVersionUpload }, async (request) => {
    const { namespace, repo } = request.params;
    const { hash, size } = request.body;
    const wanted = request.body.destination;
    const destination = wanted ? { path: wanted.path, workspaceId: wanted.workspace_id } : null;
    const begun = await beginResumableUpload(ingest, {
      namespace,
      repo,
      repository: request.repository,
      hash,
      size,
      destination,
    });
    if (begun.status === 'already_stored')
      return success('resource_found', { file: { status: 'already_stored', hash, size } });
    return success('resource_created', {
      file: {
        status: 'awaiting_parts',
        upload_id: begun.uploadId,
        part_size: begun.partSize,
        num_parts: begun.numParts,
        part_window: begun.partWindow,
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
        const announced = request.headers['content-length'];
        const body = request.body as IncomingMessage | undefined;
        const receipt = await receiveResumablePart(ingest, {
          namespace,
          repo,
          repoUuid: request.repository.uuid,
          uploadId,
          part: request.params.part,
          announcedBytes: announced === undefined ? undefined : Number(announced),
          body: body ? (bytes) => new RequestBody(body, { exactly: bytes }) : null,
        });
        const answer = { upload_id: receipt.uploadId, part_number: receipt.part };
        if (receipt.kind === 'already_stored') {
          // answered once the bytes are read: a client still sending would lose an earlier answer
          await drainBody(body!, reply);
          return success('resource_found', { ...answer, completed: false });
        }
        if (receipt.kind === 'completing') {
          // the upload's job is waited for only once the bytes are read, as above
          await drainBody(body!, reply);
          const { hash, path } = await receipt.complete();
          return success('resource_created', { ...answer, completed: true, hash, path });
        }
        if (receipt.kind === 'try_later') {
          reply.header('retry-after', '1');
          throw receipt.error;
        }
        if (receipt.kind === 'stored') return success('resource_created', { ...answer, completed: false });
        return success('resource_created', { ...answer, completed: true, hash: receipt.hash, path: receipt.path });
      },
    );
  });
}
