import type { StoreConfig } from '@sluice/core';
import type { BlobStore } from './blob-store.js';
import { FsBlobStore } from './fs-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';

/** The store a configuration names, ready to use (an S3 bucket is created if missing). */
export async function createBlobStore(config: StoreConfig): Promise<BlobStore> {
  if (config.kind === 'fs') return new FsBlobStore({ root: config.dataDir, fsync: config.fsync });
  const store = new S3BlobStore(config);
  await store.ensureBucket();
  return store;
}
