import { pino } from 'pino';
import { collectDefaultMetrics } from 'prom-client';
import { errorCodeOf, loadConfig, SluiceError, type Config } from '@sluice/core';
import { serveMetrics } from '@sluice/telemetry';
import { buildApp, TokenStore, type Access } from '@sluice/api';
import { closeServices, createServices } from './create-services.js';
import { startWorkerSide } from './worker-side.js';

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
  if (process.argv[2] === 'token') return tokenCommand(config, process.argv.slice(3));
  collectDefaultMetrics(); // memory, CPU, event-loop lag and GC of this process, beside sluice's own
  // JSON lines for collectors; readable lines only when a person watches a terminal.
  const pretty = process.stdout.isTTY ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {};
  const logger = pino({ level: config.logLevel, redact: ['req.headers.authorization'], ...pretty });
  const services = await createServices(config, (error) => logger.warn({ err: error.message }, 'object store unreachable; waiting for it'));
  const closers: Array<() => Promise<void>> = [];

  if (config.role !== 'api') {
    closers.push(startWorkerSide(config, services, logger));
    if (config.role === 'worker' && config.metricsPort !== 0) {
      const metrics = await serveMetrics(config.host, config.metricsPort);
      closers.push(metrics.close);
    }
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
    await closeServices(services);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/**
 * `sluice token create --name NAME --scope NAMESPACE:read|write|admin [--scope …]`: prints a new
 * token once and stores only its hash in SLUICE_AUTH_TOKENS_FILE. `*` as namespace means all.
 */
function tokenCommand(config: Config, args: string[]): void {
  const value = (flag: string) => args.flatMap((a, i) => (args[i - 1] === flag ? [a] : []));
  const name = value('--name')[0];
  const scopes: Record<string, Access> = {};
  for (const scope of value('--scope')) {
    const match = /^([^:]+):(read|write|admin)$/.exec(scope);
    if (!match) throw new SluiceError('bad_request', `--scope ${scope}: expected NAMESPACE:read|write|admin`);
    scopes[match[1]!] = match[2] as Access;
  }
  if (args[0] !== 'create' || !name || Object.keys(scopes).length === 0) {
    throw new SluiceError('bad_request', 'usage: sluice token create --name NAME --scope NAMESPACE:read|write|admin [--scope …]');
  }
  process.stdout.write(`${TokenStore.create(config.auth.tokensFile, name, scopes)}\n`);
}

main().catch((error: unknown) => {
  const code = errorCodeOf(error);
  const message = error instanceof SluiceError ? error.message : String((error as Error)?.message ?? error);
  process.stderr.write(`sluice: could not start (${code}): ${message}\n`);
  process.exit(1);
});
