import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { waitFor } from './wait-for.js';
import { spawnTracked } from './test-processes.js';

function redisCli(node: string, ...command: string[]): string {
  return (
    spawnSync('redis-cli', ['-u', `redis://${node}`, ...command], { encoding: 'utf8', timeout: 5000 }).stdout ?? ''
  );
}

export interface RedisCluster {
  /** The seed URLs, comma-separated, as SLUICE_REDIS_URL takes them with SLUICE_REDIS_CLUSTER=on. */
  url: string;
  stop(): Promise<void>;
}

/**
 * A Redis Cluster of `masters` redis-server processes on free loopback ports (no replicas, no
 * persistence), its slots spread by `redis-cli --cluster create`.
 */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-redis-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      // The bus port is set apart from the client port: port + 10000 may not exist.
      const [port, busPort] = [await freePort(), await freePort()];
      ports.push(port);
      const nodeDir = join(dir, String(i));
      mkdirSync(nodeDir);
      children.push(
        spawnTracked(
          'redis-server',
          [
            '--port',
            String(port),
            '--cluster-port',
            String(busPort),
            '--bind',
            '127.0.0.1',
            '--protected-mode',
            'yes',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(nodeDir, 'nodes.conf'),
            '--dir',
            nodeDir,
            '--save',
            '',
            '--appendonly',
            'no',
            '--logfile',
            join(nodeDir, 'redis.log'),
          ],
          { stdio: 'ignore' },
        ),
      );
    }
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    await waitFor('cluster nodes up', () => nodes.every((node) => redisCli(node, 'ping').trim() === 'PONG'));
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8' },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    // Every node must agree that all slots are served before a client may rely on the cluster.
    await waitFor(
      'cluster state ok',
      () => nodes.every((node) => redisCli(node, 'cluster', 'info').includes('cluster_state:ok')),
      30_000,
      200,
    );
    return { url: nodes.map((node) => `redis://${node}`).join(','), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
