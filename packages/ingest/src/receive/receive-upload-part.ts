import { uploadPartKey, type BlobStore } from '@sluice/storage';
import type { UploadStore } from '@sluice/repository';
import { storeReceived, type ReceivedBody } from './store-received.js';

export interface ReceiveUploadPartDeps {
  store: BlobStore;
  uploads: UploadStore;
}

/**
 * Stores one part of a resumable upload that `token` claimed, durably, and marks it stored.
 * Returns whether it was the file's last part to arrive. A part cut short, too long or not stored
 * gives its claim up, so another copy may be sent at once.
 */
export async function receiveUploadPart(
  { store, uploads }: ReceiveUploadPartDeps,
  target: { uploadId: string; part: number; token: string },
  body: ReceivedBody,
): Promise<boolean> {
  const { uploadId, part, token } = target;
  await storeReceived(store, uploadPartKey(uploadId, part), body, { durable: true }, () =>
    uploads.releasePart(uploadId, part, token),
  );
  return uploads.partStored(uploadId, part);
}
