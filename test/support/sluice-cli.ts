import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from './repo-root.js';
import { spawnTracked } from './test-processes.js';

/** The `sluice` CLI's entry point. */
export const cli = join(repoRoot(), 'packages/client/bin/sluice.js');

export type CliRun = { code: number; stdout: string; stderr: string };

/** Runs the `sluice` CLI as a process with a token; resolves with its exit code and output. */
export function sluiceCli(args: string[], token: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH ?? '', SLUICE_AUTHOR: 'tester', SLUICE_TOKEN: token };
    const child = spawnTracked(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A token made by `sluice token create` into a tokens file. */
export function createToken(tokensFile: string, name: string, scope: string): string {
  const args = [join(repoRoot(), 'apps/sluice/dist/main.js'), 'token', 'create', '--name', name, '--scope', scope];
  const result = spawnSync(process.execPath, args, {
    env: { PATH: process.env.PATH, SLUICE_AUTH_TOKENS_FILE: tokensFile },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}
