import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { collectDefaultMetrics } from 'prom-client';
import { errorCodeOf, loadConfig, SluiceError, type Config } from '@sluice/core';
import { serveMetrics } from '@sluice/telemetry';
import { buildApp, TokenStore, type Access } from '@sluice/api';
import { closeServices, createServices } from './create-services.js';
import { startWorkerSide, type WorkerSide } from './worker-side.js';
import { workerSideDeps } from './worker-side-deps.js';
import { resolveRedis } from './resolve-redis.js';
import { DependencyWarnings } from './dependency-warnings.js';
import { assertNodeVersion, assertPortFree, assertWritableDir, exitCodes, portInUse } from './startup-checks.js';
import { startedLine } from './started-line.js';
import { exitOnUnhandled } from './exit-on-unhandled.js';

/** How long a stop waits for the requests and jobs in flight. */
const drainSeconds = 30;

/** The root package.json of this build (dist/main.js sits three levels below it). */
const packageJson = new URL('../../../package.json', import.meta.url);

const usage =
  'usage: sluice serve      run the server (SLUICE_ROLE=all|api|worker; configuration from SLUICE_* variables)\n' +
  `       sluice token create --name NAME --scope NAMESPACE:read|write|admin [--scope …]
       sluice --help | --version
       (the client's commands, sluice push and the others: sluice --help)

Configuration: every SLUICE_* variable, its default and meaning are in docs/configuration.md
and in .env.example. Exit codes when it cannot start: 2 invalid configuration, 3 Redis unreachable,
4 object store unreachable, 5 data directory not writable, 6 port in use, 7 redis-server missing
(embedded Redis), 8 Node.js too old, 1 anything else.
`;

/**
 * sluice's one entry point. SLUICE_ROLE=all (the default) runs the API and the worker threads in
 * one process; `api` and `worker` run the halves apart, any number of each on one Redis and store.
 */
async function main(): Promise<void> {
  // `serve` is what no command means (npm start, the image): the server
  const command = process.argv[2] === 'serve' ? undefined : process.argv[2];
  const wantsHelp = process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h');
  if (wantsHelp || command === 'help') return void process.stdout.write(usage);
  if (command === '--version' || command === '-v') {
    return void process.stdout.write(
      `sluice ${(JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version}\n`,
    );
  }
  if (command !== undefined && command !== 'token')
    throw new SluiceError('invalid_config', `unknown command '${command}'\n${usage}`);
  assertNodeVersion(fileURLToPath(packageJson));
  const config = loadConfig(process.env);
  if (command === 'token') return tokenCommand(config, process.argv.slice(3));
  if (process.argv.length > 3) {
    throw new SluiceError(
      'invalid_config',
      `sluice serve takes no arguments (configuration is in SLUICE_* variables)\n${usage}`,
    );
  }
  collectDefaultMetrics(); // memory, CPU, event-loop lag and GC of this process, beside sluice's own
  // JSON lines for collectors; readable lines, one each, only when a person watches a terminal.
  const terminal = process.stdout.isTTY === true;
  const prettyOptions = { translateTime: 'SYS:HH:MM:ss.l', singleLine: true, ignore: 'pid,hostname,reqId' };
  const pretty = terminal ? { transport: { target: 'pino-pretty', options: prettyOptions } } : {};
  const logger = pino({ level: config.logLevel, redact: ['req.headers.authorization'], ...pretty });
  exitOnUnhandled(logger);
  await run(config, logger, terminal);
}

async function run(config: Config, logger: Logger, terminal: boolean): Promise<void> {
  // what is local first (files, directories, the port), then the dependencies that may take a while
  if (config.store.kind === 'fs') assertWritableDir(config.store.dataDir);
  // a worker-only process answers no requests: it needs no tokens
  const tokens = config.auth.enabled && config.role !== 'worker' ? TokenStore.load(config.auth.tokensFile) : null;
  if (config.role !== 'worker') await assertPortFree(config.host, config.port);
  const { target, embedded, description } = await resolveRedis(config, logger);
  const closers: Array<{ name: string; close: (force: boolean) => Promise<void> }> = [];
  const stopEmbedded = async () => embedded?.stop();
  try {
    config = { ...config, redis: { ...target, mode: 'url' } };
    const redisWarnings = new DependencyWarnings('Redis', logger);
    const services = await createServices(config, {
      onStoreWait: (error) => logger.warn({ err: error.message }, 'object store unreachable; waiting for it'),
      watch: { redis: (emitter) => redisWarnings.watch(emitter) },
      tokens,
    });

    let workerSide: WorkerSide | null = null;
    if (config.role !== 'api') {
      const side = startWorkerSide(config, workerSideDeps(services), logger, (error) => redisWarnings.failed(error));
      workerSide = side;
      closers.push({ name: 'worker', close: (force) => side.close(force) });
      if (config.role === 'worker' && config.metricsPort !== 0) {
        const metrics = await serveMetrics(config.host, config.metricsPort);
        closers.push({ name: 'metrics', close: metrics.close });
      }
    }
    const requests = { inFlight: 0 };
    let port = config.port;
    if (config.role !== 'worker') {
      const app = await buildApp(services, logger, { requestLines: terminal ? 'one' : 'detailed' });
      await app.listen({ host: config.host, port: config.port }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') throw portInUse(config.host, config.port);
        throw error;
      });
      port = (app.server.address() as AddressInfo).port;
      app.server.on('request', (_request, response: ServerResponse) => {
        requests.inFlight += 1;
        response.once('close', () => (requests.inFlight -= 1));
      });
      closers.unshift({ name: 'api', close: () => app.close() });
    }
    const where = startedLine(config, description, port);
    logger.info({ role: config.role, store: config.store.kind, threads: config.threads, redis: description }, where);

    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting at once');
        process.exit(1);
      }
      stopping = true;
      // from here on an embedded Redis that exits (a Ctrl-C reaching it some other way) stays down
      embedded?.stopRestarting();
      const jobs = workerSide?.running() ?? 0;
      const busy = requests.inFlight + jobs;
      if (busy === 0) logger.info({ signal }, 'stopping: nothing in flight');
      else {
        logger.info(
          { signal, requests: requests.inFlight, jobs, atMostSeconds: drainSeconds },
          `stopping: waiting for ${requests.inFlight} request(s) and ${jobs} job(s) to finish, ` +
            `at most ${drainSeconds} s (a second signal exits at once)`,
        );
      }
      const deadline = setTimeout(() => {
        logger.error(
          { requests: requests.inFlight, jobs: workerSide?.running() ?? 0 },
          `stopped waiting after ${drainSeconds} s; exiting with work unfinished (it is retried)`,
        );
        process.exit(1);
      }, drainSeconds * 1000);
      deadline.unref();
      // with nothing running, the workers close without waiting on Redis (which may be away)
      const failed = (error: unknown) => logger.error({ err: (error as Error).message }, 'close failed');
      for (const { name, close } of closers) {
        await close(jobs === 0).catch(failed);
        logger.debug(`stopping: ${name} closed`);
      }
      await closeServices(services);
      logger.debug('stopping: connections closed');
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
  const known = new Set(['create', '--name', '--scope']);
  const unknown = args.find((arg, i) => arg.startsWith('-') && !known.has(arg) && !known.has(args[i - 1] ?? ''));
  if (unknown !== undefined) throw new UsageError(`unknown option '${unknown}' for sluice token create`);
  const value = (flag: string) => args.flatMap((a, i) => (args[i - 1] === flag ? [a] : []));
  const name = value('--name')[0];
  const scopes = new Map<string, Access>();
  for (const scope of value('--scope')) {
    const match = /^([^:]+):(read|write|admin)$/.exec(scope);
    if (!match) throw new UsageError(`--scope ${scope}: expected NAMESPACE:read|write|admin`);
    const namespace = match[1]!;
    const access = match[2] as Access;
    // one access a namespace: each includes the ones below it, and a silent "last wins" could narrow a token
    const earlier = scopes.get(namespace);
    if (earlier !== undefined) {
      throw new UsageError(
        `--scope names ${namespace} twice (${earlier}, ${access}): give one access a namespace; ` +
          `write includes read, admin includes both`,
      );
    }
    scopes.set(namespace, access);
  }
  if (args[0] !== 'create' || !name || scopes.size === 0) {
    throw new UsageError('usage: sluice token create --name NAME --scope NAMESPACE:read|write|admin [--scope …]');
  }
  process.stdout.write(`${TokenStore.create(config.auth.tokensFile, name, Object.fromEntries(scopes))}\n`);
}

/** A command used wrongly: said as such (exit 2), not as a server that could not start. */
class UsageError extends Error {}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`sluice: ${error.message}\n`);
    process.exit(2);
  }
  const code = errorCodeOf(error);
  const message = error instanceof SluiceError ? error.message : String((error as Error)?.message ?? error);
  // one line (two for a configuration with several problems), never a stack
  process.stderr.write(
    code === 'invalid_config' ? `sluice: ${message}\n` : `sluice: could not start (${code}): ${message}\n`,
  );
  process.exit(exitCodes[code] ?? 1);
});
