import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { waitFor } from './wait-for.js';
import { spawnTracked } from './test-processes.js';

export interface RedisServer {
  url: string;
  port: number;
  /** Stops the server; with `restart`, starts it again on the same port and directory. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  process(): ChildProcess;
}

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

/** A private redis-server on a free loopback port (or the given one); `aof` turns on appendonly (everysec). */
export async function startRedisServer(options: { aof?: boolean; port?: number } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'sluice-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--protected-mode',
    'yes',
    '--appendonly',
    options.aof ? 'yes' : 'no',
    '--appendfsync',
    'everysec',
    '--logfile',
    join(dir, 'redis.log'),
    // as the embedded Redis is set (embedded-redis.ts), so the benchmark measures what a node runs
    '--hash-max-ziplist-entries',
    '512',
    '--hash-max-ziplist-value',
    '128',
  ];
  let child: ChildProcess;
  const launch = async () => {
    child = spawnTracked('redis-server', args, { stdio: 'ignore' });
    const probe = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    try {
      await waitFor(`redis-server on ${port}`, async () => {
        if (probe.status !== 'ready') await probe.connect().catch(() => undefined);
        return (await probe.ping()) === 'PONG';
      });
    } finally {
      probe.disconnect();
    }
  };
  const halt = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: () => child,
    restart: async () => {
      await halt();
      await launch();
    },
    stop: async () => {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
