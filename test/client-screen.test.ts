import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSluice } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { repoRoot } from './support/repo-root.js';
import { freePort } from './support/free-port.js';
import { terminalScreen } from './support/terminal-screen.js';
import { waitFor } from './support/wait-for.js';
import { tempDir } from './support/temp-dirs.js';
import { spawnTracked } from './support/test-processes.js';

const cli = join(repoRoot(), 'packages/client/bin/sluice.js');
const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * The CLI in a pseudo-terminal (util-linux `script`), as a person at a terminal runs it: what
 * matters is the screen, so every check reads the screen the output leaves, not the raw bytes.
 */
function inTerminal(args: string[]): { screen: () => string[]; exited: Promise<number> } {
  const command = [process.execPath, cli, ...args].map(quote).join(' ');
  const child = spawnTracked('script', ['-qefc', command, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '', TERM: 'xterm', SLUICE_AUTHOR: 'tester' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code) => {
      child.stdin!.end();
      resolve(code ?? -1);
    }),
  );
  return { screen: () => terminalScreen(output), exited };
}

function dataset(files: number): string {
  const dir = tempDir('sluice-screen-');
  for (let i = 0; i < files; i++)
    writeFileSync(join(dir, `${String(i).padStart(3, '0')}.txt`), `file ${i}\n${'z'.repeat(4000)}\n`);
  return dir;
}

const progressBlock = (screen: string[]) => screen.findIndex((line) => / files \[[#-]{24}\] \d+\/\d+/.test(line));

describe('the sluice CLI on a terminal', () => {
  it('redraws one progress block in place, ends it full, then prints the summary', async () => {
    const sluice = await startSluice(testEnv('fs').env);
    try {
      const target = `${sluice.url}/ox/screen`;
      await inTerminal(['repo', 'create', '--remote', target]).exited;
      const push = inTerminal([
        'push',
        dataset(300),
        '--remote',
        target,
        '--batch-size',
        '8KiB',
        '--concurrency',
        '1',
        '-m',
        'on a terminal',
      ]);
      // mid-way: the block shows the phase, a part-filled bar with its count, the rates and the server's stages
      await waitFor(
        'the push to be part way',
        async () => {
          const line = push.screen().find((l) => l.startsWith('uploading  files'));
          const sent = Number(/ (\d+)\/300 /.exec(line ?? '')?.[1] ?? 0);
          return sent > 0 && sent < 300;
        },
        20_000,
      );
      const middle = push.screen();
      const at = progressBlock(middle);
      expect(middle[at]).toMatch(/^uploading {2}files \[#*-+\] \d+\/300 {2}\d+ files\/s$/);
      expect(middle[at + 1]).toMatch(
        /^ {11}bytes \[[#-]{24}\] [\d.]+\/[\d.]+ MiB {2}[\d.]+ MiB\/s {2}ETA (\d+m\d\ds|\d+s|--)$/,
      );
      expect(middle[at + 2]).toMatch(
        /^ {11}server: spooled \d+ {2}hashed \d+ {2}staged \d+ {2}· {2}skipped 0 {2}by hash 0 {2}failed 0$/,
      );

      expect(await push.exited).toBe(0);
      const end = push.screen();
      // redrawn in place: one block on the screen, whatever the number of redraws
      expect(end.filter((line) => / files \[/.test(line))).toHaveLength(1);
      const last = progressBlock(end);
      expect(end[last]).toMatch(/^done {7}files \[#{24}\] 300\/300 /);
      expect(end[last + 2]).toMatch(/staged 300 .* failed 0$/);
      expect(end.slice(last + 4).join('\n')).toMatch(
        /^pushed to .* in [\d.]+ s\n {2}files 300: sent 300, skipped 0 .*failed 0\n.*MiB\/s\)\n {2}commit [0-9a-f]+: on a terminal/,
      );
    } finally {
      await sluice.stop();
    }
  });

  it('says on the screen that the server went away, and clears it once the push goes on', async () => {
    const env = { ...testEnv('fs').env, SLUICE_PORT: String(await freePort()) };
    let server = await startSluice(env);
    try {
      const target = `${server.url}/ox/away`;
      await inTerminal(['repo', 'create', '--remote', target]).exited;
      const push = inTerminal([
        'push',
        dataset(300),
        '--remote',
        target,
        '--batch-size',
        '8KiB',
        '--concurrency',
        '1',
        '--retry-for',
        '10m',
      ]);
      await waitFor('the upload to start', async () => push.screen().some((l) => l.startsWith('uploading')));
      await server.kill();
      const notice = /^ {11}server unreachable, retrying in \d+s$/;
      await waitFor('the notice on the screen', async () => push.screen().some((l) => notice.test(l)));
      // the notice sits in the block's fourth line, under the stale figures it explains
      const screen = push.screen();
      expect(screen[progressBlock(screen) + 3]).toMatch(notice);
      server = await startSluice(env);
      expect(await push.exited).toBe(0);
      const end = push.screen();
      expect(end.some((l) => notice.test(l))).toBe(false);
      expect(end[progressBlock(end)]).toMatch(/^done {7}files \[#{24}\] 300\/300 /);
    } finally {
      await server.stop();
    }
  });
});
