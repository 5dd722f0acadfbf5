import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { S3Config } from '@sluice/core';
import { startSluice, type SluiceProcess } from '../test/support/sluice-process.js';

export interface BenchContext {
  redisUrl: string;
  /** An admin connection to the benchmark's private Redis. */
  redis: Redis;
  s3: Omit<S3Config, 'bucket'> | null;
  smoke: boolean;
  runs: number;
  /** Extra settings for every sluice the benchmark starts (--sluice-env K=V), for experiments. */
  sluiceEnv: Record<string, string>;
  /** Extra node arguments for every sluice (--node-arg, e.g. --cpu-prof). */
  nodeArgs: string[];
  /** Overrides the small-files and many-files workloads' file counts (--files N), for quicker experiments. */
  files: number | undefined;
  /** many-files writes its stage straight into Redis instead of through stage_hashes (--direct-stage). */
  directStage: boolean;
  log(message: string): void;
}

let instance = 0;
/** How long a sluice may take to start: on a machine loaded past 30 runnable tasks it took over 20 s. */
const startTimeoutMs = 120_000;

/** A fresh sluice for one run: its own key prefix and data dir or bucket, so runs never share content. */
export async function freshSluice(
  ctx: BenchContext,
  store: 'fs' | 's3',
  extra: Record<string, string> = {},
): Promise<{ sluice: SluiceProcess; env: Record<string, string> }> {
  const keyPrefix = `bench${process.pid}x${instance++}`;
  const env: Record<string, string> = {
    SLUICE_REDIS_URL: ctx.redisUrl,
    SLUICE_KEY_PREFIX: keyPrefix,
    SLUICE_LOG_LEVEL: 'warn',
    ...ctx.sluiceEnv,
    ...extra,
  };
  if (store === 'fs') {
    env.SLUICE_STORE = 'fs';
    env.SLUICE_DATA_DIR = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  } else {
    if (ctx.s3 === null) throw new Error('no S3 server');
    Object.assign(env, {
      SLUICE_STORE: 's3',
      SLUICE_S3_ENDPOINT: ctx.s3.endpoint,
      SLUICE_S3_ACCESS_KEY: ctx.s3.accessKey,
      SLUICE_S3_SECRET_KEY: ctx.s3.secretKey,
      SLUICE_S3_BUCKET: keyPrefix.toLowerCase(),
      SLUICE_S3_REGION: ctx.s3.region,
    });
  }
  const sluice = await startSluice(env, ctx.nodeArgs, startTimeoutMs);
  if (store === 'fs') {
    // a run leaves up to 2 GiB of versions behind: gone with the sluice that wrote them (stopped
    // after any worker that joined it), or a full benchmark fills the disk
    const stop = sluice.stop.bind(sluice);
    sluice.stop = async () => {
      await stop();
      rmSync(env.SLUICE_DATA_DIR!, { recursive: true, force: true });
    };
  }
  return { sluice, env };
}

/**
 * Another process on the same Redis prefix and store as `env` (e.g.
 * a worker beside an API node), with the run's node arguments.
 */
export function joinSluice(
  ctx: BenchContext,
  env: Record<string, string>,
  role: 'api' | 'worker',
): Promise<SluiceProcess> {
  // the worker role logs 'sluice started' at info, which the launcher waits for
  return startSluice(
    { ...env, SLUICE_ROLE: role, SLUICE_LOG_LEVEL: role === 'worker' ? 'info' : (env.SLUICE_LOG_LEVEL ?? 'warn') },
    ctx.nodeArgs,
    startTimeoutMs,
  );
}
