import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { SluiceError } from '@sluice/core';

/** Where the embedded Redis's URL is written while it runs: other processes on this data directory use it. */
export function embeddedUrlFile(dataDir: string): string {
  return join(dataDir, 'redis', 'redis.url');
}

/** How a person gets redis-server, said once when it is missing. */
const installHint =
  'install redis-server (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis), ' +
  'or run one with Docker (docker run -d -p 6379:6379 redis:7) and set SLUICE_REDIS_URL=redis://127.0.0.1:6379';

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * A private redis-server, a child of this process: bound to a free loopback port with a random
 * password, data under SLUICE_DATA_DIR/redis with AOF on (appendfsync everysec, as the
 * guarantees need), its log lines folded into ours, restarted if it dies, stopped with us, last.
 * It runs in a process group of its own, so a terminal's Ctrl-C (sent to the whole foreground
 * group) reaches only sluice, which drains and then stops it. Its settings, the password among
 * them, are in a file only this user can read, not on its command line (`ps` shows those).
 * A small shell watcher beside it ends it within a second if this process is killed outright
 * (SIGKILL leaves a child behind otherwise).
 */
export class EmbeddedRedis {
  private child: ChildProcess | null = null;
  private stopping = false;
  /** Its start-up chatter is no news; once it served, what it says is (a restart included). */
  private quiet = true;
  private readonly restarts: number[] = [];

  private constructor(
    private readonly dir: string,
    private readonly port: number,
    private readonly password: string,
    private readonly logger: Logger,
  ) {}

  get url(): string {
    return `redis://:${this.password}@127.0.0.1:${this.port}`;
  }

  static async start(dataDir: string, logger: Logger): Promise<EmbeddedRedis> {
    if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error) {
      throw new SluiceError(
        'redis_server_missing',
        `SLUICE_REDIS_URL is unset, so sluice runs its own Redis under SLUICE_DATA_DIR, ` +
          `but redis-server is not installed: ${installHint}`,
      );
    }
    const dir = join(dataDir, 'redis');
    mkdirSync(dir, { recursive: true });
    const redis = new EmbeddedRedis(
      dir,
      await freeLoopbackPort(),
      randomBytes(24).toString('hex'),
      logger.child({ component: 'redis' }),
    );
    redis.spawn();
    writeFileSync(embeddedUrlFile(dataDir), `${redis.url}\n`, { mode: 0o600 });
    return redis;
  }

  /** redis-server's settings, written where only this user reads them (the password is one). */
  private writeConfig(): string {
    const file = join(this.dir, 'redis.conf');
    const settings = [
      'bind 127.0.0.1',
      `port ${this.port}`,
      `requirepass ${this.password}`,
      `dir "${this.dir}"`,
      'appendonly yes',
      'appendfsync everysec',
      'save ""',
      'daemonize no',
      'protected-mode yes',
      // content buckets (content-buckets.ts) stay compact up to ~30 million distinct contents, with
      // room for the longest pack location; the names before Redis 7, which 7 and later still take
      'hash-max-ziplist-entries 512',
      'hash-max-ziplist-value 128',
    ];
    const text = `# written by sluice at each start; changes are lost\n${settings.join('\n')}\n`;
    writeFileSync(file, text, { mode: 0o600 });
    chmodSync(file, 0o600);
    return file;
  }

  private spawn(): void {
    const config = this.writeConfig();
    // $1: our pid; $2: the settings file. The loop ends Redis once we are gone.
    const watcher =
      'parent=$1; redis-server "$2" & r=$!; trap \'kill $r 2>/dev/null\' TERM INT; ' +
      'while kill -0 "$parent" 2>/dev/null && kill -0 $r 2>/dev/null; do sleep 1; done; kill $r 2>/dev/null; wait $r';
    const args = ['-c', watcher, 'sluice-redis', String(process.pid), config];
    const child = spawn('sh', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    for (const stream of [child.stdout!, child.stderr!]) {
      let pending = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (pending + chunk.toString()).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') this.log(line);
      });
    }
    child.once('exit', (code, signal) => {
      this.child = null;
      if (this.stopping) return;
      const now = Date.now();
      this.restarts.push(now);
      while (this.restarts.length > 0 && this.restarts[0]! < now - 60_000) this.restarts.shift();
      if (this.restarts.length > 5) {
        this.logger.error(
          { code, signal },
          'embedded redis-server keeps dying (6 times in a minute); not restarting it',
        );
        return;
      }
      this.logger.warn({ code, signal }, 'embedded redis-server exited; restarting it on its data');
      setTimeout(() => this.stopping || this.spawn(), 500).unref();
    });
  }

  /**
   * One line of redis-server's log, at the level its own mark gives it (`#` warning, `*` notice,
   * others debug). Its advice on the kernel's memory overcommit is about its background saves,
   * which this Redis does not make (no RDB snapshots; the AOF rewrite is rare and small): debug.
   */
  private log(line: string): void {
    const match = /^\d+:[A-Z] (.{24}) ([#*.-]) (.*)$/.exec(line);
    if (!match) return void this.logger.info(line);
    const [, , mark, text] = match;
    if (mark === '#' && !this.quiet && !/overcommit_memory/.test(text!)) this.logger.info(text!);
    else this.logger.debug(text!);
  }

  /** It answers: from now on its warnings are logged as such. */
  ready(): void {
    this.quiet = false;
  }

  /** A stop has begun: from now on a redis-server that exits stays down (it is stopped last, after the drain). */
  stopRestarting(): void {
    this.stopping = true;
  }

  /** Stops redis-server (it writes its AOF on the way out) and waits for it. */
  async stop(): Promise<void> {
    this.stopping = true;
    rmSync(embeddedUrlFile(join(this.dir, '..')), { force: true });
    const child = this.child;
    if (child === null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(forced);
  }
}
