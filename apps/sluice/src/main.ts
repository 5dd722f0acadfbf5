import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { collectDefaultMetrics } from 'prom-client';
import { errorCodeOf, loadConfig, SluiceError, type Config } from '@sluice/core';
import { serveMetrics } from '@sluice/telemetry';
import { buildApp, TokenStore, type Access } from '@sluice/api';
import { closeServices, createServices } from './create-services.js';
import { startWorkerSide } from './worker-side.js';
import { resolveRedis } from './resolve-redis.js';
import { DependencyWarnings } from './dependency-warnings.js';
import { assertNodeVersion, assertWritableDir, exitCodes } from './startup-checks.js';

/** The root package.json of this build (dist/main.js sits three levels below it). */
const packageJson = new URL('../../../package.json', import.meta.url);

const usage = `usage: sluice            run the server (SLUICE_ROLE=all|api|worker; configuration from SLUICE_* variables)
       sluice token create --name NAME --scope NAMESPACE:read|write|admin [--scope …]
       sluice --help | --version

Configuration: every SLUICE_* variable, its default and meaning are in the README ("Configuration")
and in .env.example. Exit codes when it cannot start: 2 invalid configuration, 3 Redis unreachable,
4 object store unreachable, 5 data directory not writable, 6 port in use, 7 redis-server missing
(embedded Redis), 8 Node.js too old, 1 anything else.
`;

/**
 * sluice's one entry point. SLUICE_ROLE=all (the default) runs the API and the worker threads in
 * one process; `api` and `worker` run the halves apart, any number of each on one Redis and store.
 */
async function main(): Promise<void> {
  const command = process.argv[2];
  if (command === '--help' || command === '-h' || command === 'help') return void process.stdout.write(usage);
  if (command === '--version' || command === '-v') {
    return void process.stdout.write(`sluice ${(JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version}\n`);
  }
  if (command !== undefined && command !== 'token') throw new SluiceError('invalid_config', `unknown command '${command}'\n${usage}`);
  assertNodeVersion(fileURLToPath(packageJson));
  const config = loadConfig(process.env);
  if (command === 'token') return tokenCommand(config, process.argv.slice(3));
  collectDefaultMetrics(); // memory, CPU, event-loop lag and GC of this process, beside sluice's own
  // JSON lines for collectors; readable lines only when a person watches a terminal.
  const pretty = process.stdout.isTTY ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {};
  const logger = pino({ level: config.logLevel, redact: ['req.headers.authorization'], ...pretty });
  await run(config, logger);
}

async function run(config: Config, logger: Logger): Promise<void> {
  // what is local first (files, directories), then the dependencies that may take a while
  if (config.store.kind === 'fs') assertWritableDir(config.store.dataDir);
  const tokens = config.auth.enabled ? TokenStore.load(config.auth.tokensFile) : null;
  const { target, embedded } = await resolveRedis(config, logger);
  const closers: Array<() => Promise<void>> = [];
  const stopEmbedded = async () => embedded?.stop();
  try {
    config = { ...config, redis: { ...target, mode: 'url' } };
    const redisWarnings = new DependencyWarnings('Redis', logger);
    const services = await createServices(config, {
      onStoreWait: (error) => logger.warn({ err: error.message }, 'object store unreachable; waiting for it'),
      watch: { redis: (emitter) => redisWarnings.watch(emitter) },
      tokens,
    });

    if (config.role !== 'api') {
      closers.push(startWorkerSide(config, services, logger, (error) => redisWarnings.failed(error)));
      if (config.role === 'worker' && config.metricsPort !== 0) {
        const metrics = await serveMetrics(config.host, config.metricsPort);
        closers.push(metrics.close);
      }
    }
    if (config.role !== 'worker') {
      const app = await buildApp(services, logger);
      await app.listen({ host: config.host, port: config.port }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') throw new SluiceError('port_in_use', `port ${config.host}:${config.port} is in use by another process; stop it or set SLUICE_PORT`);
        throw error;
      });
      closers.unshift(() => app.close());
    }
    logger.info({ role: config.role, store: config.store.kind, threads: config.threads, redis: embedded ? 'embedded' : 'external' }, 'sluice started');

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
      await stopEmbedded();
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  } catch (error) {
    await stopEmbedded();
    throw error;
  }
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
  // one line (two for a configuration with several problems), never a stack
  process.stderr.write(code === 'invalid_config' ? `sluice: ${message}\n` : `sluice: could not start (${code}): ${message}\n`);
  process.exit(exitCodes[code] ?? 1);
});
