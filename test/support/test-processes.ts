import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The folder where every test worker writes down the processes it starts (set by
 * process-check-setup.ts, inherited by the workers): the run's end check reads it.
 */
export const runDirVariable = 'SLUICE_TEST_RUN_DIR';
/** Put in the environment of every process the tests start, and inherited by what those start. */
export const markerVariable = 'SLUICE_TEST_PROCESS';

export interface StartedProcess {
  pid: number;
  /** Field 22 of /proc/PID/stat: tells the process from a later one that reuses its pid. */
  startTime: string;
  what: string;
}

/** The marker a process started by this run carries (the run's folder, or this worker's pid outside a run). */
export function runMarker(): string {
  return process.env[runDirVariable] ?? `worker-${process.pid}`;
}

/** The variables to add to an explicit `env` of a process a test starts, so the end check finds it and its children. */
export function testProcessEnv(): Record<string, string> {
  return inTestWorker() ? { [markerVariable]: runMarker() } : {};
}

function stat(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces; the fields after its closing parenthesis do not
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Running (a zombie has exited; only its parent's wait is missing). */
export function isRunning(entry: StartedProcess): boolean {
  const fields = stat(entry.pid);
  return fields !== null && fields[0] !== 'Z' && fields[19] === entry.startTime;
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** The process and everything below it, found by parent pid (children of a detached group included). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const other of allPids()) {
    const parent = Number(stat(other)?.[1] ?? 0);
    children.set(parent, [...(children.get(parent) ?? []), other]);
  }
  const tree: number[] = [];
  for (const queue = [pid]; queue.length > 0;) {
    const next = queue.shift()!;
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

/**
 * Processes carrying this run's marker in their environment (the tests' children and theirs);
 * with `inherited`, also every process that inherited the run's folder variable from vitest
 * (its set-up's servers and workers: for when vitest itself is on its way out).
 */
export function markedProcesses(marker: string, inherited = false): StartedProcess[] {
  const wanted = [`${markerVariable}=${marker}`, ...(inherited ? [`${runDirVariable}=${marker}`] : [])];
  const found: StartedProcess[] = [];
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue;
    }
    if (!environ.split('\0').some((entry) => wanted.includes(entry))) continue;
    const fields = stat(pid);
    if (fields === null || fields[0] === 'Z') continue;
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    found.push({ pid, startTime: fields[19]!, what: command.slice(0, 160) });
  }
  return found;
}

/**
 * SIGKILL to the process and all below it; the tree is taken first, so no child is orphaned unseen.
 * Returns the tree.
 */
export function killTree(entry: StartedProcess): StartedProcess[] {
  if (!isRunning(entry)) return [];
  const tree: StartedProcess[] = [];
  for (const pid of processTree(entry.pid)) {
    const startTime = stat(pid)?.[19];
    if (startTime === undefined) continue;
    tree.push({ pid, startTime, what: entry.what });
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  return tree;
}

/** Kills the processes and their children and waits (a few seconds at most) until they are gone. */
export async function killAndWait(entries: StartedProcess[]): Promise<void> {
  const killed = entries.flatMap(killTree);
  for (let waited = 0; waited < 10_000 && killed.some(isRunning); waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every process a run's workers wrote down that still runs. */
export function recordedStillRunning(runDir: string): StartedProcess[] {
  const entries: StartedProcess[] = [];
  for (const name of readdirSync(runDir)) {
    for (const line of readFileSync(join(runDir, name), 'utf8').split('\n')) {
      if (line.trim() !== '') entries.push(JSON.parse(line) as StartedProcess);
    }
  }
  return entries.filter(isRunning);
}

// What this worker started: in the test running now, or outside any test (a file's beforeAll).
let inTest = false;
const inTestStarted: StartedProcess[] = [];
const inFileStarted: StartedProcess[] = [];

/** Called by the setup file around each test. */
export function markTestBoundary(starting: boolean): void {
  inTest = starting;
}

/** Writes down a process a test started: it is killed when the test (or, from a hook, the file) ends. */
export function track(child: ChildProcess, what: string): void {
  if (child.pid === undefined) return;
  const entry: StartedProcess = { pid: child.pid, startTime: stat(child.pid)?.[19] ?? '', what };
  (inTest ? inTestStarted : inFileStarted).push(entry);
  const runDir = process.env[runDirVariable];
  if (runDir !== undefined) appendFileSync(join(runDir, `${process.pid}.jsonl`), `${JSON.stringify(entry)}\n`);
}

/** In a test worker (the global set-up's servers, in vitest's own process, are stopped by it). */
function inTestWorker(): boolean {
  return process.env.VITEST_WORKER_ID !== undefined;
}

/** `spawn`, with the run's marker added to the environment and the child tracked (in a test worker). */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  if (!inTestWorker()) return spawn(command, args, options);
  const env = { ...(options.env ?? process.env), ...testProcessEnv() };
  const child = spawn(command, args, { ...options, env });
  track(child, [command, ...args].join(' ').slice(0, 160));
  return child;
}

export async function stopTestProcesses(): Promise<void> {
  await killAndWait(inTestStarted.splice(0));
}

export async function stopFileProcesses(): Promise<void> {
  await killAndWait([...inTestStarted.splice(0), ...inFileStarted.splice(0)]);
}
