import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { spawnTracked, testProcessEnv } from '../test-processes.js';

/** Where the pids go, for the test that runs this file to look at. */
const pidsFile = process.env.SELF_CHECK_PIDS!;
/** A process that runs until it is killed, with a child of its own that does too. */
const parentAndChild =
  "const child = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], " +
  `{ stdio: 'ignore' });
  require('node:fs').appendFileSync(process.env.SELF_CHECK_PIDS, 'grandchild ' + child.pid + '\\n');
  setInterval(() => {}, 1000);`;

it('times out with a server and its child running', async () => {
  const child = spawnTracked(process.execPath, ['-e', parentAndChild], { stdio: 'ignore' });
  appendFileSync(pidsFile, `timed-out ${child.pid}\n`);
  while (!readFileSync(pidsFile, 'utf8').includes('grandchild'))
    await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise(() => undefined);
});

it('starts a process the hooks do not know of (only the end check finds it)', () => {
  const env = { ...process.env, ...testProcessEnv() };
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
    stdio: 'ignore',
    env,
    detached: true,
  });
  child.unref();
  appendFileSync(pidsFile, `unseen ${child.pid}\n`);
});

it('time-out check: the processes of the test that timed out are gone when the next test starts', () => {
  const running = readFileSync(pidsFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => Number(line.split(' ')[1]))
    .filter((pid) => {
      try {
        return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
      } catch {
        return false;
      }
    });
  expect(running).toEqual([]);
});
