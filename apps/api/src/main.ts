import { pino } from 'pino';
import { errorCodeOf, loadConfig, SluiceError, type Config } from '@sluice/core';
import { SpoolSweeper, startWorker, type RunningWorker } from '@sluice/worker';
import { buildApp } from './build-app.js';
import { createServices } from './create-services.js';
import { bullConnection } from '@sluice/queue';

/**
 * sluice's one entry point. SLUICE_ROLE=all (the default) runs the API and the worker threads in
 * one process; `api` and `worker` run the halves apart, any number of each on one Redis and store.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    process.stderr.write(`sluice: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const logger = pino({ level: config.logLevel, redact: ['req.headers.authorization'] });
  const services = await createServices(config);
  const closers: Array<() => Promise<void>> = [];

  let worker: RunningWorker | undefined;
  if (config.role !== 'api') {
    worker = startWorker({
      ...services,
      connection: bullConnection(config.redisUrl),
      keyPrefix: config.keyPrefix,
      limits: config.limits,
      threads: config.threads,
      concurrency: config.workerConcurrency,
      retentionSeconds: config.jobRetentionSeconds,
      logger: logger.child({ component: 'worker' }),
    });
    closers.push(() => worker!.close());
    const sweeper = new SpoolSweeper({ ...services, keyPrefix: config.keyPrefix, graceSeconds: config.spoolGraceSeconds, logger });
    sweeper.start();
    closers.push(async () => sweeper.stop());
  }
  if (config.role !== 'worker') {
    const app = await buildApp(services, logger);
    await app.listen({ host: config.host, port: config.port });
    closers.unshift(() => app.close());
  }
  logger.info({ role: config.role, store: config.store.kind, threads: config.threads }, 'sluice started');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping: finishing in-flight requests and jobs');
    const deadline = setTimeout(() => process.exit(1), 30_000);
    deadline.unref();
    for (const close of closers) await close().catch((error: unknown) => logger.error({ err: (error as Error).message }, 'close failed'));
    await Promise.allSettled([services.queue.close(), services.commitQueue.close(), services.events.close()]);
    services.redis.disconnect();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  const code = errorCodeOf(error);
  const message = error instanceof SluiceError ? error.message : String((error as Error)?.message ?? error);
  process.stderr.write(`sluice: could not start (${code}): ${message}\n`);
  process.exit(1);
});
