import { SluiceError } from '@sluice/core';

/** Whether `hash` is an Oxen content hash: up to 32 lowercase hex digits (docs/architecture.md#hashes). */
export function isContentHash(hash: string): boolean {
  return /^[0-9a-f]{1,32}$/.test(hash);
}

/** `hash` when it is an Oxen content hash, else bad_request. */
export function assertContentHash(hash: string): string {
  if (!isContentHash(hash)) throw new SluiceError('bad_request', `not an Oxen content hash: ${hash}`);
  return hash;
}
