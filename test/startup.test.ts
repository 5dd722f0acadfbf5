import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { repoRoot } from './support/repo-root.js';
import { freePort } from './support/free-port.js';
import { testEnv } from './support/test-env.js';
import { repoWithWorkspace, send, stagedFiles, upload } from './support/oxen-http.js';
import { waitFor } from './support/wait-for.js';
import { tempDir } from './support/temp-dirs.js';
import { spawnTracked, testProcessEnv } from './support/test-processes.js';
import { startRedisServer } from './support/redis-server.js';

const entry = join(repoRoot(), 'apps/sluice/dist/main.js');

/** Runs sluice until it exits by itself (it is expected to refuse to start), bounded in time. */
function runToExit(env: Record<string, string>, args: string[] = []): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [entry, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      SLUICE_HOST: '127.0.0.1',
      SLUICE_LOG_LEVEL: 'info',
      ...testProcessEnv(),
      ...env,
    },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The environment without SLUICE_REDIS_URL: what a person who configured nothing runs. */
function withoutRedisUrl(env: Record<string, string>): Record<string, string> {
  const { SLUICE_REDIS_URL: _unset, SLUICE_REDIS_CLUSTER: _cluster, ...rest } = env;
  return rest;
}

/** The process group of a process (field 5 of /proc/PID/stat). */
function processGroupOf(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[2]);
}

/** Whether something accepts connections on 127.0.0.1:port. */
function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The embedded redis-server of a data directory (it runs in it: that tells it from any other Redis). */
function redisPidsIn(dataDir: string): number[] {
  return processesMatching('redis-server 127.0.0.1:').filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/cwd`) === join(dataDir, 'redis');
    } catch {
      return false;
    }
  });
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

  it(
    'runs its own redis-server, ' + 'survives its kill -9 with nothing acknowledged lost, and stops it on SIGTERM',
    async () => {
      const env = { ...testEnv('fs').env, SLUICE_REDIS_URL: 'embedded' };
      const sluice = await startSluice(env);
      started.push(sluice);
      await waitFor('the start-up line', () => /sluice started/.test(sluice.output()));
      expect(sluice.output()).toMatch(/Redis: embedded, \/[^ ]+\/redis/);
      const ws = await repoWithWorkspace(sluice.url, 'ox', 'embedded', 'w');
      expect(
        (
          await upload(sluice.url, `${ws}/files/d`, [{ filename: 'a.txt', content: 'acknowledged\n', gzip: true }])
        ).json().paths,
      ).toEqual(['d/a.txt']);

      const dataDir = env.SLUICE_DATA_DIR!;
      const redisPids = () => redisPidsIn(dataDir);
      const [first] = redisPids();
      expect(first).toBeGreaterThan(0);
      process.kill(first!, 'SIGKILL');
      await waitFor(
        'the embedded Redis to be restarted',
        async () =>
          redisPids().some((pid) => pid !== first) && (await send(sluice.url, 'GET', '/api/ready')).status === 200,
      );
      expect((await stagedFiles(sluice.url, ws)).get('d/a.txt')?.size).toBe(13);
      expect(
        (await upload(sluice.url, `${ws}/files/d`, [{ filename: 'b.txt', content: 'after\n', gzip: true }])).status,
      ).toBe(200);

      await sluice.stop();
      expect(sluice.child.exitCode, sluice.output().split('\n').slice(-15).join('\n')).toBe(0);
      expect(redisPids()).toEqual([]);

      // the data outlives the process: the next start on the same directory finds it
      const again = await startSluice(env);
      started.push(again);
      expect([...(await stagedFiles(again.url, ws)).keys()].sort()).toEqual(['d/a.txt', 'd/b.txt']);
      // killed outright, sluice leaves no redis-server behind either
      await again.kill();
      await waitFor('the orphaned redis-server to be gone', async () => redisPids().length === 0);
    },
  );

  it('is what an unconfigured sluice uses, under its data directory, even with a Redis answering on 6379', async () => {
    // something answers on 6379 (started here when nothing does): the old default took it
    const local = (await portAnswers(6379)) ? null : await startRedisServer({ port: 6379 });
    try {
      const env = withoutRedisUrl(testEnv('fs').env);
      const sluice = await startSluice(env);
      started.push(sluice);
      await waitFor('the start-up line', () => /sluice started/.test(sluice.output()));
      expect(sluice.output()).toMatch(
        new RegExp(`Redis: embedded, ${env.SLUICE_DATA_DIR}/redis \\(SLUICE_REDIS_URL unset\\)`),
      );
      expect(existsSync(join(env.SLUICE_DATA_DIR!, 'redis', 'appendonlydir'))).toBe(true);
      await sluice.stop();
    } finally {
      await local?.stop();
    }
  });

  it(
    'stops on a Ctrl-C to its process group after its drain, ' +
      'its Redis (in a group of its own) last, never restarted',
    async () => {
      const env = withoutRedisUrl(testEnv('fs').env);
      const dataDir = env.SLUICE_DATA_DIR!;
      // a terminal runs a command in a foreground process group of its own, and Ctrl-C signals the whole group
      const sluice = await startSluice(env, [], undefined, { processGroup: true });
      started.push(sluice);
      const ws = await repoWithWorkspace(sluice.url, 'ox', 'ctrl-c', 'w');
      expect(
        (await upload(sluice.url, `${ws}/files/d`, [{ filename: 'kept.txt', content: 'kept\n', gzip: true }])).status,
      ).toBe(200);
      const [redis] = redisPidsIn(dataDir);
      expect(redis).toBeGreaterThan(0);
      expect(processGroupOf(redis!)).not.toBe(sluice.pid);
      // its password is in no command line (`ps` shows those to every user), only in files of this user's
      const password = new URL(readFileSync(join(dataDir, 'redis', 'redis.url'), 'utf8').trim()).password;
      expect(password.length).toBeGreaterThan(20);
      expect(processesMatching(password)).toEqual([]);
      expect(statSync(join(dataDir, 'redis', 'redis.conf')).mode & 0o777).toBe(0o600);

      const exited = new Promise<number | null>((resolve) => sluice.child.once('exit', (code) => resolve(code)));
      process.kill(-sluice.pid, 'SIGINT');
      expect(await exited, sluice.output()).toBe(0);
      expect(sluice.output()).toMatch(/stopping: nothing in flight/);
      expect(sluice.output()).not.toMatch(/restarting|second signal|stopped waiting/);
      await waitFor('its redis-server to be gone', () => redisPidsIn(dataDir).length === 0);

      const again = await startSluice(env);
      started.push(again);
      expect([...(await stagedFiles(again.url, ws)).keys()]).toEqual(['d/kept.txt']);
      await again.stop();
    },
  );

  it('starts quietly: nothing at all at warn, and at info a last line saying where to go', async () => {
    const env = withoutRedisUrl(testEnv('fs').env);
    const quiet = await startSluice({ ...env, SLUICE_LOG_LEVEL: 'warn' });
    started.push(quiet);
    await quiet.stop();
    expect(quiet.output()).toBe('');

    const sluice = await startSluice(env);
    started.push(sluice);
    await waitFor('the start-up line', () => /sluice started/.test(sluice.output()));
    const lines = sluice
      .output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(
      lines.filter((line) => line.level >= 40),
      sluice.output(),
    ).toEqual([]);
    // start-up ends with it; the readiness probe's requests may be logged before or after it, as
    // the probe is answered as soon as the port listens
    const startUp = lines.filter((line) => line.msg !== 'incoming request' && line.msg !== 'request completed');
    expect(startUp.at(-1)!.msg).toMatch(
      new RegExp(
        `^sluice started: open ${sluice.url}/ui \\(the API is ${sluice.url}/api\\); ` +
          `data in ${env.SLUICE_DATA_DIR}; Redis: embedded, ${env.SLUICE_DATA_DIR}/redis \\(SLUICE_REDIS_URL unset\\)$`,
      ),
    );
    expect(sluice.output()).not.toMatch(/overcommit|does not answer yet/);
    await sluice.stop();
  });

  it('logs one line per request on a terminal', async () => {
    const env = {
      ...withoutRedisUrl(testEnv('fs').env),
      SLUICE_PORT: String(await freePort()),
      SLUICE_HOST: '127.0.0.1',
      SLUICE_LOG_LEVEL: 'info',
    };
    const assignments = Object.entries({ PATH: process.env.PATH ?? '', ...env })
      .map(([key, value]) => `${key}='${value}'`)
      .join(' ');
    // a pseudo-terminal (util-linux `script`): sluice's stdout is a TTY, as in a person's shell
    const child = spawnTracked('script', ['-qefc', `env -i ${assignments} ${process.execPath} ${entry}`, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor('the start-up line', () => /sluice started/.test(output));
      const base = `http://127.0.0.1:${env.SLUICE_PORT}`;
      expect((await send(base, 'GET', '/api/health')).status).toBe(200);
      expect((await send(base, 'GET', '/api/nowhere-at-all')).status).toBe(404);
      await waitFor('the request lines', () => /nowhere-at-all/.test(output));
      const lines = output.split(/\r?\n/);
      expect(
        lines.filter((line) => line.includes('/api/health')),
        output,
      ).toEqual([expect.stringMatching(/INFO.*GET \/api\/health 200 \d+ ms/)]);
      expect(lines.filter((line) => line.includes('/api/nowhere-at-all'))).toEqual([
        expect.stringMatching(/GET \/api\/nowhere-at-all 404 \d+ ms/),
      ]);
      expect(lines.filter((line) => line.includes('sluice started'))).toHaveLength(1);
    } finally {
      child.stdin!.end();
    }
  });

  it('refuses an embedded Redis for an API-only process that has none to share', () => {
    const run = runToExit({ ...testEnv('fs').env, SLUICE_REDIS_URL: 'embedded', SLUICE_ROLE: 'api', SLUICE_PORT: '0' });
    expect(run.status).toBe(2);
    expect(run.output).toMatch(/SLUICE_ROLE=api with an embedded Redis/);
    expectFewLinesNoStack(run.output);
  });

  it('names the package to install when redis-server is missing', () => {
    const run = runToExit({
      ...testEnv('fs').env,
      SLUICE_REDIS_URL: 'embedded',
      PATH: '/nonexistent',
      SLUICE_PORT: '0',
    });
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
    const run = runToExit({
      ...testEnv('fs').env,
      SLUICE_REDIS_URL: `redis://127.0.0.1:${port}`,
      SLUICE_STARTUP_WAIT_SECONDS: '2',
      SLUICE_PORT: '0',
    });
    expect(run.status).toBe(3);
    expect(run.output).toMatch(
      new RegExp(
        `could not start \\(redis_unavailable\\): Redis at redis://127.0.0.1:${port} did not answer within 2 s`,
      ),
    );
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

  it('says the port is in use, under its own code, first and alone (no Redis started for nothing)', async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy!.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    const env = withoutRedisUrl(testEnv('fs').env);
    const run = runToExit({ ...env, SLUICE_PORT: String(port) });
    expect(run.status).toBe(6);
    expect(run.output.trim()).toMatch(/^sluice: could not start \(port_in_use\): port 127.0.0.1:\d+ is in use[^\n]*$/);
    expect(existsSync(join(env.SLUICE_DATA_DIR!, 'redis'))).toBe(false);
  });

  it('gives up on an unreachable object store within the bounded wait', async () => {
    const port = await freePort();
    const run = runToExit({
      ...testEnv('fs').env,
      SLUICE_STORE: 's3',
      SLUICE_S3_ENDPOINT: `http://127.0.0.1:${port}`,
      SLUICE_S3_ACCESS_KEY: 'k',
      SLUICE_S3_SECRET_KEY: 's',
      SLUICE_STARTUP_WAIT_SECONDS: '2',
      SLUICE_PORT: '0',
    });
    expect(run.status).toBe(4);
    expect(run.output).toMatch(/could not start \(store_unavailable\): the object store did not answer within 2 s/);
    expect(run.output).not.toMatch(/\n\s+at /);
  });

  it(
    'is one `sluice` command for both sides, as npm links it: ' + 'serve and token, push and the other client commands',
    () => {
      const bin = join(repoRoot(), 'node_modules/.bin/sluice');
      const sluice = (args: string[], env: Record<string, string> = {}) => {
        // run through its #! line, as a shell runs it
        const result = spawnSync(bin, args, {
          env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, ...env },
          encoding: 'utf8',
          timeout: 120_000,
        });
        return { status: result.status, stdout: result.stdout, stderr: result.stderr };
      };
      const help = sluice(['--help']);
      expect(help.status).toBe(0);
      const everyCommand = [
        'serve',
        'token create',
        'push',
        'repo create',
        'job',
        'status',
        'commit',
        'ls',
        'log',
        'diff',
        'download',
      ];
      for (const command of everyCommand) expect(help.stdout).toContain(`sluice ${command}`);
      expect(sluice(['push', '--help']).stdout).toMatch(/^usage: sluice push .*--retry-for/s);
      // every client command through the one command, not only those it once listed
      for (const command of ['ls', 'log', 'diff', 'download'])
        expect(sluice([command, '--help']).stdout).toMatch(new RegExp(`^usage: sluice ${command} `));
      expect(sluice(['serve', '--help']).stdout).toMatch(/^usage: sluice serve/);
      const tokens = join(tempDir('sluice-tokens-'), 'tokens.json');
      const made = sluice(['token', 'create', '--name', 'ci', '--scope', 'ox:write'], {
        SLUICE_AUTH_TOKENS_FILE: tokens,
      });
      expect(made.status, made.stderr).toBe(0);
      expect(made.stdout).toMatch(/^sluice_\S+\n$/);
      // a usage mistake is said as one, not as a server that could not start
      const wrong = sluice(['token', 'create', '--name', 'x', '--nmae', 'y'], { SLUICE_AUTH_TOKENS_FILE: tokens });
      expect(wrong.status).toBe(2);
      expect(wrong.stderr).toBe("sluice: unknown option '--nmae' for sluice token create\n");
      // two accesses for one namespace are refused, not narrowed to the last one silently
      const twice = sluice(['token', 'create', '--name', 'x', '--scope', 'ox:write', '--scope', 'ox:read'], {
        SLUICE_AUTH_TOKENS_FILE: tokens,
      });
      expect(twice.status).toBe(2);
      expect(twice.stderr).toMatch(/^sluice: --scope names ox twice \(write, read\)/);
      const unknown = sluice(['pussh']);
      expect(unknown.status).toBe(2);
      expect(unknown.stderr).toMatch(/^sluice: unknown command 'pussh'/);
    },
  );

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
