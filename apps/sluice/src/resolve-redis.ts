import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { SluiceError, type Config, type RedisTarget } from '@sluice/core';
import { redisUrlOptions } from '@sluice/repository';
import { EmbeddedRedis, embeddedUrlFile } from './embedded-redis.js';

/** One PING, or the reason there was none. */
async function ping(url: string, timeoutMs: number): Promise<string | null> {
  const client = new Redis({
    ...redisUrlOptions(url),
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    client.disconnect();
  }
}

/** Hides a URL's password in what we print. */
export function shown(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/**
 * Waits up to `seconds` for the first URL to answer; a Redis that never does ends start-up with
 * one line naming it and the fix, never a stream of connection errors.
 */
async function awaitRedis(
  target: RedisTarget,
  seconds: number,
  logger: Logger,
  { starting = false } = {},
): Promise<void> {
  const url = target.urls[0]!;
  const deadline = Date.now() + seconds * 1000;
  for (let attempt = 0; ; attempt++) {
    const reason = await ping(url, 2000);
    if (reason === null) return;
    if (Date.now() >= deadline) {
      throw new SluiceError(
        'redis_unavailable',
        `Redis at ${shown(url)} did not answer within ${seconds} s (${reason}). Start it, point ` +
          `SLUICE_REDIS_URL at a Redis that runs, or unset SLUICE_REDIS_URL to run an embedded one.`,
      );
    }
    // a Redis we have just started takes a moment, which is no news
    const level = starting ? 'debug' : 'warn';
    if (attempt === 0)
      logger[level]({ url: shown(url), reason }, `Redis does not answer yet; waiting up to ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, Math.max(0, deadline - Date.now()))));
  }
}

export interface ResolvedRedis {
  target: RedisTarget;
  /** The one this process runs, to stop last. */
  embedded: EmbeddedRedis | null;
  /** Which it is, for the start-up line (no password). */
  description: string;
}

/**
 * The Redis this process runs on. A configured URL is waited for (bounded). Otherwise (the
 * default) an embedded one under the data directory, never whatever answers on 6379: another
 * process on the same data directory that runs one already is used; otherwise a process running
 * both roles starts its own, and an API-only or worker-only process, which could not share it
 * with other hosts, is refused.
 */
export async function resolveRedis(config: Config, logger: Logger): Promise<ResolvedRedis> {
  const { redis } = config;
  if (redis.mode === 'url') {
    await awaitRedis(redis, config.startupWaitSeconds, logger);
    const description = `external, ${redis.urls.map(shown).join(',')} (SLUICE_REDIS_URL)`;
    return { target: redis, embedded: null, description };
  }
  if (config.store.kind !== 'fs') {
    throw new SluiceError(
      'invalid_config',
      'SLUICE_REDIS_URL is unset, so Redis would be embedded, under SLUICE_DATA_DIR, ' +
        'which only SLUICE_STORE=fs has; with S3 set SLUICE_REDIS_URL to a Redis',
    );
  }
  const dataDir = config.store.dataDir;
  const shared = readShared(dataDir);
  if (shared !== null && (await ping(shared, 1000)) === null) {
    const description = `embedded, run by another sluice process on ${join(dataDir, 'redis')}`;
    return { target: { urls: [shared], cluster: false }, embedded: null, description };
  }
  if (config.role !== 'all') {
    throw new SluiceError(
      'invalid_config',
      `SLUICE_ROLE=${config.role} with an embedded Redis: separate API and worker processes must share one Redis. ` +
        'Run them on one host with the same SLUICE_DATA_DIR after a SLUICE_ROLE=all process has started its ' +
        'embedded Redis there, or set SLUICE_REDIS_URL to a Redis they all reach (see "Scaling out").',
    );
  }
  const embedded = await EmbeddedRedis.start(dataDir, logger);
  const seconds = Math.max(config.startupWaitSeconds, 10);
  await awaitRedis({ urls: [embedded.url], cluster: false }, seconds, logger, { starting: true }).catch(
    async (error: unknown) => {
      await embedded.stop();
      throw error;
    },
  );
  embedded.ready();
  logger.debug({ dir: `${dataDir}/redis` }, 'embedded Redis started (AOF on, appendfsync everysec)');
  const description = `embedded, ${join(dataDir, 'redis')} (SLUICE_REDIS_URL unset)`;
  return { target: { urls: [embedded.url], cluster: false }, embedded, description };
}

function readShared(dataDir: string): string | null {
  try {
    return readFileSync(embeddedUrlFile(dataDir), 'utf8').trim() || null;
  } catch {
    return null;
  }
}
