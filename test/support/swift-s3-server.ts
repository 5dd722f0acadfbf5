import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './repo-root.js';
import { promisify } from 'node:util';
import type { S3Config } from '@sluice/core';
import { freePort, freePortRange } from './free-port.js';
import { testProcessEnv } from './test-processes.js';

const run = promisify(execFile);
const script = join(repoRoot(), 'scripts/swift-s3.sh');

export interface S3Server {
  config: Omit<S3Config, 'bucket'>;
  stop(): Promise<void>;
  /** Stops the servers but keeps their data, so `resume` brings the same store back. */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

export function hasSwift(): boolean {
  return existsSync('/usr/bin/swift-proxy-server');
}

/** OpenStack Swift with s3api on free loopback ports, through scripts/swift-s3.sh. */
export async function startSwiftS3(): Promise<S3Server> {
  let lastError: { root: string; message: string } | undefined;
  // A port can be taken between choosing and binding it; a failed start is cleaned up and retried.
  for (let attempt = 0; attempt < 3; attempt++) {
    const root = mkdtempSync(join(tmpdir(), 'sluice-swift-'));
    const env = {
      ...process.env,
      SWIFT_ROOT: root,
      SWIFT_S3_PORT: String(await freePort()),
      SWIFT_PORT_BASE: String(await freePortRange(3)),
      SWIFT_MEMCACHED_PORT: String(await freePort()),
      SWIFT_EATMYDATA: '1',
      // a test's own Swift (the store-outage test) carries the marker: the run's end check finds what it leaves
      ...testProcessEnv(),
    };
    const halt = () => run('bash', [script, 'stop'], { env, timeout: 60_000 }).catch(() => undefined);
    const stop = async () => {
      await halt();
      rmSync(root, { recursive: true, force: true });
    };
    try {
      await run('bash', [script, 'start'], { env, timeout: 120_000 });
    } catch (error) {
      // The last failed attempt keeps its folder: the script's message names it and its logs.
      if (lastError !== undefined) rmSync(lastError.root, { recursive: true, force: true });
      await halt();
      const stderr = (error as { stderr?: string }).stderr ?? '';
      lastError = { root, message: `${(error as Error).message.split('\n')[0]}\n${stderr}` };
      continue;
    }
    if (lastError !== undefined) rmSync(lastError.root, { recursive: true, force: true });
    return {
      config: {
        endpoint: `http://127.0.0.1:${env.SWIFT_S3_PORT}`,
        accessKey: 'test:tester',
        secretKey: 'testing',
        region: 'us-east-1',
      },
      stop,
      pause: async () => void (await run('bash', [script, 'stop'], { env, timeout: 60_000 })),
      resume: async () => void (await run('bash', [script, 'start'], { env, timeout: 120_000 })),
    };
  }
  throw new Error(
    `Swift s3api did not start (3 attempts; logs of the last in ${lastError?.root}/log):\n${lastError?.message}`,
  );
}
