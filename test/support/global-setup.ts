import type { TestProject } from 'vitest/node';
import type { S3Config } from '@sluice/core';
import { hasRedisServer, startRedisServer } from './redis-server.js';
import { hasSwift, startSwiftS3 } from './swift-s3-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** One redis:// URL, or a Redis Cluster's seed URLs joined by commas. */
    redisUrl: string;
    redisCluster: boolean;
    /** Null when no S3 server is configured and Swift is not installed: S3 tests are skipped. */
    s3: Omit<S3Config, 'bucket'> | null;
  }
}

/**
 * Real services for the whole run: a private Redis (or SLUICE_TEST_REDIS_URL) and an S3 server
 * (SLUICE_TEST_S3_ENDPOINT, or Swift s3api started by scripts/swift-s3.sh). Tests isolate
 * themselves by key prefix and bucket, so one of each serves every file.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = [];
  project.provide('redisCluster', false);
  const envRedis = process.env.SLUICE_TEST_REDIS_URL;
  if (envRedis) {
    project.provide('redisUrl', envRedis);
  } else if (hasRedisServer()) {
    const redis = await startRedisServer();
    stops.push(redis.stop);
    project.provide('redisUrl', redis.url);
  } else {
    project.provide('redisUrl', 'redis://127.0.0.1:6379');
  }

  const envS3 = process.env.SLUICE_TEST_S3_ENDPOINT;
  if (envS3) {
    project.provide('s3', {
      endpoint: envS3,
      accessKey: process.env.SLUICE_TEST_S3_ACCESS_KEY ?? '',
      secretKey: process.env.SLUICE_TEST_S3_SECRET_KEY ?? '',
      region: process.env.SLUICE_TEST_S3_REGION ?? 'us-east-1',
    });
  } else if (hasSwift()) {
    const swift = await startSwiftS3().catch(async (error: unknown) => {
      // vitest would only say "No test files found": name the cause, and leave nothing running.
      for (const stop of stops.reverse()) await stop();
      console.error(`sluice tests: set-up failed: ${(error as Error).message}`);
      throw error;
    });
    stops.push(swift.stop);
    project.provide('s3', swift.config);
  } else {
    console.warn('sluice tests: no S3 server (set SLUICE_TEST_S3_ENDPOINT or install Swift); S3 tests are skipped');
    project.provide('s3', null);
  }
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
