import type { TestProject } from 'vitest/node';
import { hasRedisServer } from './redis-server.js';
import { startRedisCluster } from './redis-cluster.js';

/**
 * The cluster project's services: a Redis Cluster of three masters on loopback (or the seed URLs
 * in SLUICE_TEST_REDIS_CLUSTER_URL) and the filesystem store. The S3 variants run in the other
 * project; the store does not change what Redis Cluster has to get right.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  project.provide('redisCluster', true);
  project.provide('s3', null);
  const envCluster = process.env.SLUICE_TEST_REDIS_CLUSTER_URL;
  if (envCluster) {
    project.provide('redisUrl', envCluster);
    return undefined;
  }
  if (!hasRedisServer())
    throw new Error('the Redis Cluster tests need redis-server (or SLUICE_TEST_REDIS_CLUSTER_URL)');
  const cluster = await startRedisCluster(3);
  project.provide('redisUrl', cluster.url);
  return cluster.stop;
}
