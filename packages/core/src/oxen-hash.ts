import { createXXHash128, type IHasher } from 'hash-wasm';

/**
 * Oxen renders a content hash as the xxh3-128 value in lowercase hex without zero padding
 * (docs/architecture.md#hashes); hash-wasm gives the canonical 32-digit form, so only the padding goes.
 */
export function formatOxenHash(canonicalHex: string): string {
  const stripped = canonicalHex.replace(/^0+/, '');
  return stripped === '' ? '0' : stripped;
}

/** An incremental xxh3-128 hasher that yields the Oxen string. One per thread, reused per file. */
export interface OxenHasher {
  init(): void;
  update(data: Uint8Array | string): void;
  digest(): string;
}

export async function createOxenHasher(): Promise<OxenHasher> {
  const inner: IHasher = await createXXHash128();
  return {
    init: () => void inner.init(),
    update: (data) => void inner.update(data),
    digest: () => formatOxenHash(inner.digest('hex')),
  };
}

let shared: Promise<OxenHasher> | undefined;

/**
 * Hashes one buffer or string at once with a hasher shared by the thread (init, update and digest
 * run without awaiting in between, so sharing is safe). For metadata and tests, not file content.
 */
export async function oxenHash(data: Uint8Array | string): Promise<string> {
  const hasher = await (shared ??= createOxenHasher());
  hasher.init();
  hasher.update(data);
  return hasher.digest();
}
