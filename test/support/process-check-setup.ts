import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  killTree,
  markedProcesses,
  recordedStillRunning,
  runDirVariable,
  type StartedProcess,
} from './test-processes.js';

/**
 * What the run started and is still running, killed on the way: each test worker's record, and any
 * process carrying the marker.
 */
function killLeftovers(runDir: string, inherited = false): StartedProcess[] {
  const left = [...recordedStillRunning(runDir), ...markedProcesses(runDir, inherited)];
  const unique = [...new Map(left.map((entry) => [entry.pid, entry])).values()];
  for (const entry of unique) killTree(entry);
  return unique;
}

let runDir: string | undefined;

/**
 * The run's end check (a global set-up of every project, so it runs in vitest's own process):
 * every test worker writes down the processes it starts in one folder; at the end of the run,
 * anything in it still running (or carrying the run's marker) is killed and fails the run. When
 * vitest exits any other way (an interrupt, a crash), the same happens on its way out.
 */
export default function setup(): () => void {
  if (runDir === undefined) {
    runDir = mkdtempSync(join(tmpdir(), 'sluice-test-processes-'));
    process.env[runDirVariable] = runDir;
    const dir = runDir;
    // an interrupted run (Ctrl-C) skips the set-ups' teardowns: their Redis and Swift go here too
    process.once('exit', () => {
      killLeftovers(dir, true);
      rmSync(dir, { recursive: true, force: true });
    });
  }
  const dir = runDir;
  return () => {
    const left = killLeftovers(dir);
    if (left.length > 0) {
      const list = left.map((entry) => `  pid ${entry.pid}: ${entry.what}`).join('\n');
      // vitest reports an error thrown here but still exits 0: the exit code is set here
      const what = `${left.length} process(es) the tests started were still running at the end (killed now)`;
      process.stderr.write(`sluice tests: ${what}:\n${list}\n`);
      process.exitCode = 1;
    }
  };
}
