import { SluiceError } from '@sluice/core';
import type { Upload } from '@sluice/repository';
import type { IngestDeps } from './ingest-deps.js';
import { receiveUploadPart } from './receive-upload-part.js';
import type { ReceivedBody } from './store-received.js';
import { endUpload, uploadJob } from './upload-job.js';

/** One part of a resumable upload as the client sends it (PUT R/versions/uploads/{id}/parts/{part}). */
export interface PartDelivery {
  namespace: string;
  repo: string;
  repoUuid: string;
  uploadId: string;
  /** The part's number as sent. */
  part: string;
  /** The body's length as the request announced it, if it did. */
  announcedBytes: number | undefined;
  /**
   * The body, made to be exactly `bytes` long, read only once the part is claimed; null when the
   * request has none.
   */
  body: ((bytes: number) => ReceivedBody) | null;
}

/** The file of a completed upload, verified and staged (or only stored). */
export interface CompletedFile {
  hash: string;
  path: string | null;
}

/**
 * What became of a part: stored (and, the last, its file verified and staged), stored before (its
 * body unread: the caller drains it), stored before while the upload completes (its body unread: the
 * caller drains it, then `complete` waits for the upload's job as the completing request does), or
 * to be sent again later (another request stores it, or it is past the window).
 */
export type PartReceipt = { uploadId: string; part: number } & (
  | { kind: 'stored' }
  | ({ kind: 'completed' } & CompletedFile)
  | { kind: 'already_stored' }
  | { kind: 'completing'; complete: () => Promise<CompletedFile> }
  | { kind: 'try_later'; error: SluiceError }
);

/** The refusal of a part longer or shorter than its place in the file: announced, or found while it is read. */
export function wrongPartLength(expected: number): SluiceError {
  return new SluiceError('bad_request', `this part must be exactly ${expected} bytes`);
}

/**
 * Receives one part of a resumable upload (docs/api.md#uploads): parts come in any order within the
 * window, a part sent again is harmless, and the part that completes the file is answered once the
 * worker has verified the hash and staged the file at the destination.
 */
export async function receiveResumablePart(deps: IngestDeps, delivery: PartDelivery): Promise<PartReceipt> {
  const { namespace, repo, uploadId } = delivery;
  const upload = await deps.uploads.get(namespace, repo, uploadId);
  const gone = new SluiceError(
    'resource_not_found',
    `No upload in progress: ${uploadId} (completed, aborted or unknown; begin again)`,
  );
  if (upload === null) throw gone;
  const part = Number(delivery.part);
  if (!Number.isInteger(part) || part < 1 || part > upload.numParts)
    throw new SluiceError('bad_request', `part numbers run from 1 to ${upload.numParts}`);
  const expected = part < upload.numParts ? upload.partSize : upload.size - upload.partSize * (upload.numParts - 1);
  const announced = delivery.announcedBytes;
  if (announced !== undefined && announced !== expected) throw wrongPartLength(expected);
  if (delivery.body === null) throw wrongPartLength(expected);

  const receipt = { uploadId: upload.id, part };
  const claim = await deps.uploads.claimPart(upload.id, part);
  if (claim.state === 'unknown') throw gone;
  if (claim.state === 'already_stored') return { ...receipt, kind: 'already_stored' };
  // a resend of a part whose answer was lost (504, a cut connection, the API died before enqueueing)
  if (claim.state === 'completing')
    return { ...receipt, kind: 'completing', complete: () => complete(deps, upload, delivery.repoUuid) };
  if (claim.state !== 'claimed') {
    const error = new SluiceError(
      'too_many_requests',
      claim.state === 'busy'
        ? `part ${part} is being stored by another request`
        : `part ${part} is more than ${upload.partWindow} parts ahead of the earliest part not yet stored`,
    );
    return { ...receipt, kind: 'try_later', error };
  }
  const target = { uploadId: upload.id, part, token: claim.token };
  if (!(await receiveUploadPart(deps, target, delivery.body(expected)))) return { ...receipt, kind: 'stored' };
  return { ...receipt, kind: 'completed', ...(await complete(deps, upload, delivery.repoUuid)) };
}

/**
 * Verifies and stages (or only stores) the whole file through an ingest job; the upload ends either way.
 * The job's id comes from the upload's: a resend enqueueing again finds the job, or creates it if the
 * request that completed the upload never enqueued it.
 */
async function complete(deps: IngestDeps, upload: Upload, repoUuid: string): Promise<CompletedFile> {
  const { data, jobId } = uploadJob(upload, repoUuid);
  const job = await deps.jobs.enqueue(data, jobId, async () => undefined);
  const outcome = (await deps.jobs.wait(job)).files[0];
  await endUpload(deps, upload, outcome !== undefined && 'error' in outcome);
  if (outcome && 'error' in outcome)
    throw new SluiceError(outcome.error.code, `${outcome.error.message}; the upload is aborted, begin again`);
  return { hash: upload.hash, path: upload.destination?.path ?? null };
}
