import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/repo-root.js';
import { tempDir } from './support/temp-dirs.js';
import { spawnTracked } from './support/test-processes.js';
import { waitFor } from './support/wait-for.js';

/**
 * Runs test/support/self-check/leaves-processes.check.ts (only the tests named by `filter`) as a
 * vitest run of its own, with the suite's setup file and end check; returns its exit code, its
 * output and the pids its tests wrote down.
 */
async function selfCheck(
  filter: string,
): Promise<{ code: number | null; output: string; pids: Record<string, number> }> {
  const pidsFile = join(tempDir('sluice-self-check-'), 'pids');
  writeFileSync(pidsFile, '');
  const vitest = join(repoRoot(), 'node_modules/vitest/vitest.mjs');
  // a clean environment: its own run folder and marker, not this run's
  const child = spawnTracked(
    process.execPath,
    [vitest, 'run', '--config', 'test/support/self-check/vitest.config.ts', '-t', filter],
    {
      cwd: repoRoot(),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', SELF_CHECK_PIDS: pidsFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const lines = readFileSync(pidsFile, 'utf8').trim().split('\n').filter(Boolean);
  return {
    code,
    output,
    pids: Object.fromEntries(lines.map((line) => line.split(' ')).map(([what, pid]) => [what, Number(pid)])),
  };
}

/** Gone (a zombie, or another program that took the pid since, counts as gone). */
async function expectGone(pid: number, output: string): Promise<void> {
  await waitFor(
    `pid ${pid} to be gone\n${output}`,
    () => {
      try {
        const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return text.slice(text.lastIndexOf(')') + 2).startsWith('Z') || !text.includes('(node)');
      } catch {
        return true;
      }
    },
    30_000,
  );
}

describe('processes the tests start', () => {
  it('are killed, with their children, when a test times out', { timeout: 180_000 }, async () => {
    const run = await selfCheck('time');
    expect(Object.keys(run.pids).sort(), run.output).toEqual(['grandchild', 'timed-out']);
    expect(run.output).toMatch(/Test timed out in 10000ms/);
    // the next test found them gone already
    expect(run.output).toMatch(/Tests .*1 failed.*1 passed/);
    expect(run.code).toBe(1);
    // the test's hook killed both: the end check found nothing left
    expect(run.output).not.toMatch(/still running at the end/);
    for (const pid of Object.values(run.pids)) await expectGone(pid, run.output);
  });

  it(
    'that no hook knows of are found by the end check, which kills them and fails the run',
    { timeout: 180_000 },
    async () => {
      const run = await selfCheck('hooks do not know');
      expect(Object.keys(run.pids), run.output).toEqual(['unseen']);
      expect(run.output).toMatch(/1 passed/);
      expect(run.output).toMatch(
        new RegExp(
          `1 process\\(es\\) the tests started were still running at ` +
            `the end \\(killed now\\):\\n\\s+pid ${run.pids.unseen}: `,
        ),
      );
      expect(run.code).toBe(1);
      await expectGone(run.pids.unseen!, run.output);
    },
  );
});
