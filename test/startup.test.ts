import { execFileSync, spawnSync } from 'node:child_process';
import { readlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { repoRoot } from './support/repo-root.js';
import { freePort } from './support/free-port.js';
import { testEnv } from './support/test-env.js';
import { repoWithWorkspace, send, stagedFiles, upload } from './support/oxen-http.js';
import { waitFor } from './support/wait-for.js';
import { tempDir } from './support/temp-dirs.js';

const entry = join(repoRoot(), 'apps/sluice/dist/main.js');

/** Runs sluice until it exits by itself (it is expected to refuse to start), bounded in time. */
function runToExit(env: Record<string, string>, args: string[] = []): { status: number | null; output: string; ms: number } {
  const started = Date.now();
  const result = spawnSync(process.execPath, [entry, ...args], {
    env: { PATH: process.env.PATH ?? '', SLUICE_HOST: '127.0.0.1', SLUICE_LOG_LEVEL: 'info', ...env }, encoding: 'utf8', timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, ms: Date.now() - started };
}

/** Pids of the processes whose command line holds `text`. */
function processesMatching(text: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', text], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function expectFewLinesNoStack(output: string): void {
  const lines = output.trim().split('\n');
  expect(lines.length, output).toBeLessThanOrEqual(3);
  expect(output).not.toMatch(/\n\s+at |node:internal|Unhandled error/);
}

describe('the first run: an embedded Redis', () => {
  const started: SluiceProcess[] = [];
  afterAll(async () => {
    for (const sluice of started) await sluice.kill();
  });

  it('runs its own redis-server, survives its kill -9 with nothing acknowledged lost, and stops it on SIGTERM', async () => {
    const env = { ...testEnv('fs').env, SLUICE_REDIS_URL: 'embedded' };
    const sluice = await startSluice(env);
    started.push(sluice);
    expect(sluice.output()).toMatch(/embedded Redis started/);
    const ws = await repoWithWorkspace(sluice.url, 'ox', 'embedded', 'w');
    expect((await upload(sluice.url, `${ws}/files/d`, [{ filename: 'a.txt', content: 'acknowledged\n', gzip: true }])).json().paths).toEqual(['d/a.txt']);

    const dataDir = env.SLUICE_DATA_DIR!;
    // redis-server runs in its data directory: that tells this test's Redis from any other
    const redisPids = () => processesMatching('redis-server 127.0.0.1:').filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`) === join(dataDir, 'redis');
      } catch {
        return false;
      }
    });
    const [first] = redisPids();
    expect(first).toBeGreaterThan(0);
    process.kill(first!, 'SIGKILL');
    await waitFor('the embedded Redis to be restarted', async () => redisPids().some((pid) => pid !== first) && (await send(sluice.url, 'GET', '/api/ready')).status === 200, 20_000);
    expect((await stagedFiles(sluice.url, ws)).get('d/a.txt')?.size).toBe(13);
    expect((await upload(sluice.url, `${ws}/files/d`, [{ filename: 'b.txt', content: 'after\n', gzip: true }])).status).toBe(200);

    await sluice.stop();
    expect(sluice.child.exitCode, sluice.output().split('\n').slice(-15).join('\n')).toBe(0);
    expect(redisPids()).toEqual([]);

    // the data outlives the process: the next start on the same directory finds it
    const again = await startSluice(env);
    started.push(again);
    expect([...(await stagedFiles(again.url, ws)).keys()].sort()).toEqual(['d/a.txt', 'd/b.txt']);
    // killed outright, sluice leaves no redis-server behind either
    await again.kill();
    await waitFor('the orphaned redis-server to be gone', async () => redisPids().length === 0, 5_000);
  });

  it('refuses an embedded Redis for an API-only process that has none to share', () => {
    const run = runToExit({ ...testEnv('fs').env, SLUICE_REDIS_URL: 'embedded', SLUICE_ROLE: 'api', SLUICE_PORT: '0' });
    expect(run.status).toBe(2);
    expect(run.output).toMatch(/SLUICE_ROLE=api with an embedded Redis/);
    expectFewLinesNoStack(run.output);
  });

  it('names the package to install when redis-server is missing', () => {
    const run = runToExit({ ...testEnv('fs').env, SLUICE_REDIS_URL: 'embedded', PATH: '/nonexistent', SLUICE_PORT: '0' });
    expect(run.status).toBe(7);
    expect(run.output).toMatch(/apt-get install redis-server/);
    expect(run.output).toMatch(/brew install redis/);
    expect(run.output).toMatch(/docker run/);
    expectFewLinesNoStack(run.output);
  });
});

describe('one clear line for each thing that is missing at start-up', () => {
  let busy: Server | undefined;
  afterAll(() => busy?.close());

  it('gives up on an unreachable Redis within the bounded wait, naming it', async () => {
    const port = await freePort();
    const run = runToExit({ ...testEnv('fs').env, SLUICE_REDIS_URL: `redis://127.0.0.1:${port}`, SLUICE_STARTUP_WAIT_SECONDS: '2', SLUICE_PORT: '0' });
    expect(run.status).toBe(3);
    expect(run.ms).toBeLessThan(15_000);
    expect(run.output).toMatch(new RegExp(`could not start \\(redis_unavailable\\): Redis at redis://127.0.0.1:${port} did not answer within 2 s`));
    expectFewLinesNoStack(run.output);
  });

  it('refuses a data directory that cannot be created', () => {
    const file = join(tempDir('sluice-notdir-'), 'a-file');
    writeFileSync(file, 'x');
    const run = runToExit({ ...testEnv('fs').env, SLUICE_DATA_DIR: join(file, 'data'), SLUICE_PORT: '0' });
    expect(run.status).toBe(5);
    expect(run.output).toMatch(/data_dir_unwritable.*SLUICE_DATA_DIR=.*cannot be created or written \(ENOTDIR\)/);
    expectFewLinesNoStack(run.output);
  });

  it('says the port is in use, under its own code', async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy!.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    const run = runToExit({ ...testEnv('fs').env, SLUICE_PORT: String(port) });
    expect(run.status).toBe(6);
    expect(run.output).toMatch(/could not start \(port_in_use\): port 127.0.0.1:\d+ is in use/);
    expect(run.output).not.toMatch(/\n\s+at /);
  });

  it('gives up on an unreachable object store within the bounded wait', async () => {
    const port = await freePort();
    const run = runToExit({
      ...testEnv('fs').env, SLUICE_STORE: 's3', SLUICE_S3_ENDPOINT: `http://127.0.0.1:${port}`, SLUICE_S3_ACCESS_KEY: 'k', SLUICE_S3_SECRET_KEY: 's',
      SLUICE_STARTUP_WAIT_SECONDS: '2', SLUICE_PORT: '0',
    });
    expect(run.status).toBe(4);
    expect(run.ms).toBeLessThan(20_000);
    expect(run.output).toMatch(/could not start \(store_unavailable\): the object store did not answer within 2 s/);
    expect(run.output).not.toMatch(/\n\s+at /);
  });

  it('answers --help and --version without starting anything', () => {
    const help = runToExit({}, ['--help']);
    expect(help.status).toBe(0);
    expect(help.output).toMatch(/^usage: sluice/);
    expect(help.output).toMatch(/3 Redis unreachable/);
    const version = runToExit({}, ['--version']);
    expect(version.status).toBe(0);
    expect(version.output.trim()).toMatch(/^sluice \d+\.\d+\.\d+$/);
    const unknown = runToExit({}, ['serve-please']);
    expect(unknown.status).toBe(2);
    expect(unknown.output).toMatch(/unknown command 'serve-please'/);
  });
});
