import { SluiceError } from '@sluice/core';

/** `hash` when it is an Oxen content hash (up to 32 lowercase hex digits), else bad_request. */
export function assertContentHash(hash: string): string {
  if (!/^[0-9a-f]{1,32}$/.test(hash)) throw new SluiceError('bad_request', `not an Oxen content hash: ${hash}`);
  return hash;
}
