import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { SluiceError, type ErrorCode } from '@sluice/core';

/**
 * What sluice exits with when it cannot start, by error code: one documented number per thing
 * that is missing (docs/configuration.md, "Embedded Redis, start-up and exit codes"), so a
 * supervisor or a script can tell them apart.
 */
export const exitCodes: Partial<Record<ErrorCode, number>> = {
  invalid_config: 2,
  redis_unavailable: 3,
  store_unavailable: 4,
  data_dir_unwritable: 5,
  port_in_use: 6,
  redis_server_missing: 7,
  node_too_old: 8,
};

/** The oldest Node the project's `engines` allows, from the root package.json this build belongs to. */
export function assertNodeVersion(packageJson: string, running = process.versions.node): void {
  const range = (JSON.parse(readFileSync(packageJson, 'utf8')) as { engines?: { node?: string } }).engines?.node ?? '';
  const wanted = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range.trim());
  if (!wanted) return;
  const have = running.split('.').map(Number);
  const need = wanted.slice(1).map(Number);
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) > need[i]!) return;
    if ((have[i] ?? 0) < need[i]!)
      throw new SluiceError(
        'node_too_old',
        `Node ${running} is older than this build needs (${range}); install a newer Node.js`,
      );
  }
}

/** The data directory exists (created if need be) and takes a durable write, or start-up stops here. */
export function assertWritableDir(dir: string): void {
  const probe = join(dir, `.sluice-write-check-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(probe, 'w');
    try {
      writeSync(fd, 'ok');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    rmSync(probe, { force: true });
  } catch (error) {
    throw new SluiceError(
      'data_dir_unwritable',
      `SLUICE_DATA_DIR=${dir} cannot be created or written ` +
        `(${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); point it at a directory this ` +
        `user may write`,
    );
  }
}

export function portInUse(host: string, port: number): SluiceError {
  return new SluiceError(
    'port_in_use',
    `port ${host}:${port} is in use by another process; stop it or set SLUICE_PORT`,
  );
}

/**
 * The API's port is free, checked before anything starts (an embedded Redis, connections), so a
 * taken port is the first and only thing said. Port 0 (any free one) always is.
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? portInUse(host, port) : error),
    );
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
