import { inject } from 'vitest';
import { createBlobStore, type BlobStore } from '@sluice/storage';
import { tempDir } from './temp-dirs.js';
import type { RedisTarget, StoreConfig } from '@sluice/core';

export type StoreKind = 'fs' | 's3';

export interface TestEnv {
  env: Record<string, string>;
  storeConfig: StoreConfig;
  /** The same store the server uses, for looking at what it wrote. */
  store(): Promise<BlobStore>;
}

let counter = 0;

/** An isolated sluice environment: its own key prefix, and its own data dir or bucket. */
export function testEnv(kind: StoreKind, extra: Record<string, string> = {}): TestEnv {
  const id = `t${process.pid}x${Date.now().toString(36)}x${counter++}`;
  const env: Record<string, string> = {
    SLUICE_REDIS_URL: inject('redisUrl'),
    SLUICE_REDIS_CLUSTER: inject('redisCluster') ? 'on' : 'off',
    SLUICE_KEY_PREFIX: id,
    SLUICE_THREADS: '2',
    SLUICE_CHECK_ANSWERS: 'on',
    ...extra,
  };
  let storeConfig: StoreConfig;
  if (kind === 'fs') {
    const dataDir = tempDir('sluice-e2e-');
    storeConfig = { kind: 'fs', dataDir, fsync: false };
    Object.assign(env, { SLUICE_STORE: 'fs', SLUICE_DATA_DIR: dataDir, SLUICE_FS_FSYNC: 'false' });
  } else {
    const s3 = inject('s3');
    if (s3 === null) throw new Error('no S3 server for this test');
    storeConfig = { kind: 's3', ...s3, bucket: id.toLowerCase() };
    Object.assign(env, {
      SLUICE_STORE: 's3',
      SLUICE_S3_ENDPOINT: s3.endpoint,
      SLUICE_S3_ACCESS_KEY: s3.accessKey,
      SLUICE_S3_SECRET_KEY: s3.secretKey,
      SLUICE_S3_BUCKET: storeConfig.bucket,
      SLUICE_S3_REGION: s3.region,
    });
  }
  return { env, storeConfig, store: () => createBlobStore(storeConfig) };
}

/** The run's Redis: one server, or the seed nodes of the cluster project's Redis Cluster. */
export function testRedisTarget(): RedisTarget {
  return { urls: inject('redisUrl').split(','), cluster: inject('redisCluster') };
}

/** The stores to run a suite against: the filesystem always, S3 when a server is available. */
export function storeKinds(): StoreKind[] {
  return inject('s3') === null ? ['fs'] : ['fs', 's3'];
}

export async function listKeys(store: BlobStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list(prefix)) keys.push(info.key);
  return keys;
}
