import { createHash } from 'node:crypto';
import type { IngestJobData } from '@sluice/queue';
import type { Upload, UploadStore } from '@sluice/repository';
import { uploadPartKey, type BlobStore } from '@sluice/storage';
import { wholeFileJob } from './whole-file-job.js';

function partKeys(upload: Upload): string[] {
  return Array.from({ length: upload.numParts }, (_, i) => uploadPartKey(upload.id, i + 1));
}

/** The ingest job that verifies and stages (or only stores) a resumable upload's file once all its parts are in. */
export function uploadJob(upload: Upload, repoUuid: string): { data: IngestJobData; jobId: string } {
  const { destination } = upload;
  const data = wholeFileJob({
    namespace: upload.namespace,
    repo: upload.repo,
    repoUuid,
    workspaceId: destination?.workspaceId ?? null,
    path: destination?.path ?? upload.hash,
    hash: upload.hash,
    keys: partKeys(upload),
    bytes: upload.size,
  });
  return { data, jobId: 'upload-' + createHash('sha256').update(upload.id).digest('hex').slice(0, 40) };
}

/** Ends a resumable upload once its job is done; a failed one drops its parts too (the client begins again). */
export async function endUpload(
  { store, uploads }: { store: BlobStore; uploads: UploadStore },
  upload: Upload,
  failed: boolean,
): Promise<void> {
  await uploads.finish(upload.id);
  if (failed) await store.delete(partKeys(upload));
}
