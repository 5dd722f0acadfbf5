import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { waitFor } from './wait-for.js';
import { repoRoot } from './repo-root.js';
import { spawnTracked } from './test-processes.js';

const entry = join(repoRoot(), 'apps/sluice/dist/main.js');
/** The node flags `npm start` and the Dockerfile run sluice with: tests and the benchmark run what users run. */
const sluiceNodeFlags = ['--initial-old-space-size=128'];

export interface SluiceProcess {
  pid: number;
  /** Base URL (API roles only). */
  url: string;
  /** Where GET /metrics answers: the API, or a worker-only process's own metrics port. */
  metricsUrl: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL at once and wait for the exit. */
  kill(): Promise<void>;
}

/** The `code` a sluice process logs an unhandled error with (apps/sluice/src/exit-on-unhandled.ts). */
const unhandledMarker = '"code":"unhandled_error"';

/** Every sluice process this test file started, for the unhandled-error guard (unhandled-guard.ts). */
const started: Array<{ pid: number | undefined; output(): string }> = [];

/** The lines in which a process of this test file reported an unhandled 'error' event or rejection. */
export function unhandledErrorLines(): string[] {
  return started.flatMap((p) =>
    p
      .output()
      .split('\n')
      .filter((line) => line.includes(unhandledMarker))
      .map((line) => `pid ${p.pid}: ${line}`),
  );
}

/** A test that makes a process fail so on purpose takes it off the guard's list. */
export function expectedUnhandled(sluice: SluiceProcess): void {
  const at = started.findIndex((p) => p.pid === sluice.pid);
  if (at >= 0) started.splice(at, 1);
}

export interface StartOptions {
  /** Its own process group (pgid = pid), as a terminal runs a foreground command: for signals to the group. */
  processGroup?: boolean;
}

/** Runs the built sluice (apps/sluice/dist/main.js) as a real process with the given environment. */
export async function startSluice(
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
  startTimeoutMs = 120_000,
  options: StartOptions = {},
): Promise<SluiceProcess> {
  const port = env.SLUICE_PORT ?? String(await freePort());
  // Several workers run on this one host: each gets its own metrics port.
  const metricsPort = env.SLUICE_METRICS_PORT ?? String(await freePort());
  const child = spawnTracked(process.execPath, [...sluiceNodeFlags, ...nodeArgs, entry], {
    env: {
      PATH: process.env.PATH ?? '',
      SLUICE_LOG_LEVEL: 'info',
      ...env,
      SLUICE_PORT: port,
      SLUICE_METRICS_PORT: metricsPort,
      SLUICE_HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.processGroup === true,
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  started.push({ pid: child.pid, output: () => output });
  const url = `http://127.0.0.1:${port}`;
  const alive = () => child.exitCode === null && child.signalCode === null;
  const role = env.SLUICE_ROLE ?? 'all';
  const metricsUrl = role === 'worker' ? `http://127.0.0.1:${metricsPort}` : url;
  await waitFor(
    `sluice (${role}) to start`,
    async () => {
      if (!alive()) throw new Error(`sluice exited: ${output}`);
      if (role === 'worker') return /sluice started/.test(output);
      return (await fetch(`${url}/api/health`)).ok;
    },
    startTimeoutMs,
  );
  const signal = async (name: NodeJS.Signals) => {
    if (alive()) child.kill(name);
    await exited;
  };
  return {
    pid: child.pid!,
    url,
    metricsUrl,
    child,
    output: () => output,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
}
