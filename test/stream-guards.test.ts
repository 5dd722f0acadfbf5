import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/repo-root.js';
import { expectedUnhandled, startSluice, unhandledErrorLines, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : sourceFiles(path);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

/** The code of a source file without its comments (so a comment may name `.pipe()`). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('guards against streams and promises without an error path (issue 26)', () => {
  const faulty: SluiceProcess[] = [];
  afterAll(async () => {
    for (const sluice of faulty) await sluice.kill();
  });

  it('joins no server-side stream with .pipe(), which passes neither errors nor an early end on', () => {
    // stream.pipeline (or a join by hand with every end handled, like RequestBody) instead: with
    // pipe(), a source that fails leaves its destination waiting for ever, and a destination that
    // fails before anyone listens ends the process. The CLI client (packages/client) is not server-side.
    const root = repoRoot();
    const parts = ['apps', 'packages'].flatMap((top) =>
      readdirSync(join(root, top)).map((name) => join(root, top, name, 'src')),
    );
    const found: string[] = [];
    for (const file of parts.filter((dir) => !dir.includes(join('packages', 'client'))).flatMap(sourceFiles)) {
      withoutComments(readFileSync(file, 'utf8'))
        .split('\n')
        .forEach((line, at) => {
          if (/\.pipe\s*\(/.test(line)) found.push(`${relative(root, file)}:${at + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });

  it(
    "has every sluice process say when an 'error' event or a rejection went unhandled, which fails the test file",
    { timeout: 300_000 },
    async () => {
      // a fault planted in the real process (a module loaded first), set off by a signal once it serves
      const plant = (fault: string) =>
        `--import=data:text/javascript,import { EventEmitter } from 'node:events'; process.on('SIGUSR2', () => ` +
        `setImmediate(() => { ${fault} }));`;
      const env = testEnv('fs');
      const [emitter, rejection] = await Promise.all([
        startSluice(env.env, [plant("new EventEmitter().emit('error', new Error('planted error event'));")], 120_000),
        startSluice(testEnv('fs').env, [plant("Promise.reject(new Error('planted rejection'));")], 120_000),
      ]);
      faulty.push(emitter, rejection);
      for (const sluice of faulty) sluice.child.kill('SIGUSR2');
      await waitFor('both processes to exit', () => faulty.every((s) => s.child.exitCode !== null), 30_000);
      expect(faulty.map((s) => s.child.exitCode)).toEqual([1, 1]);
      const lines = unhandledErrorLines();
      expect(lines).toHaveLength(2);
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/"kind":"uncaughtException".*planted error event/),
          expect.stringMatching(/"kind":"unhandledRejection".*planted rejection/),
        ]),
      );
      // planted on purpose: off the guard's list, or this file would fail (which is the guard working)
      for (const sluice of faulty) expectedUnhandled(sluice);
      expect(unhandledErrorLines()).toEqual([]);
    },
  );
});
