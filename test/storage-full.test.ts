import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync, statfsSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { listKeys, testEnv } from './support/test-env.js';
import { multipart, repoWithWorkspace, send, stagedFiles, upload } from './support/oxen-http.js';
import { tempDir } from './support/temp-dirs.js';
import { waitFor } from './support/wait-for.js';
import { FsBlobStore } from '@sluice/storage';

/** A small tmpfs of our own to fill up; null where this machine will not mount one (not root). */
function mountSmallDisk(): string | null {
  const dir = tempDir('sluice-full-');
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', dir], { stdio: 'ignore' });
  return mounted.status === 0 ? dir : null;
}

const disk = mountSmallDisk();

describe.skipIf(disk === null)('a filesystem store that fills up (a 40 MiB tmpfs)', () => {
  let sluice: SluiceProcess;
  const dataDir = join(disk ?? '/nonexistent', 'data');
  const filler = join(disk ?? '/nonexistent', 'filler');
  let ws = '';
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  /** One request on the single kept-alive connection: what a client reusing its socket sees. */
  const onSameConnection = (
    method: string,
    path: string,
    body?: { bytes: Buffer; contentType: string },
  ): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const url = new URL(sluice.url);
      const headers = body ? { 'content-type': body.contentType, 'content-length': String(body.bytes.length) } : {};
      const req = request({ host: url.hostname, port: url.port, method, path, headers, agent }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body?.bytes);
    });

  beforeAll(async () => {
    sluice = await startSluice({
      ...testEnv('fs').env,
      SLUICE_DATA_DIR: dataDir,
      SLUICE_MIN_FREE_BYTES: String(8 * 1024 * 1024),
    });
    ws = await repoWithWorkspace(sluice.url, 'ox', 'full', 'w');
    expect(
      (
        await upload(sluice.url, `${ws}/files/before`, [
          { filename: 'kept.txt', content: 'acknowledged before the disk filled\n', gzip: true },
        ])
      ).status,
    ).toBe(200);
  });
  afterAll(async () => {
    agent.destroy();
    await sluice?.stop();
    if (disk) execFileSync('umount', [disk]);
  });

  it(
    'answers 507 storage_full, leaves nothing behind, ' +
      'keeps reads working and the connection usable, and turns /api/ready 503',
    async () => {
      // leave ~3 MiB free: below the 8 MiB floor, and too little for the next upload
      const free = statfsSync(disk!).bavail * statfsSync(disk!).bsize;
      writeFileSync(filler, Buffer.alloc(Math.max(0, free - 3 * 1024 * 1024)));
      const ready = await send(sluice.url, 'GET', '/api/ready');
      expect(ready.status).toBe(503);
      expect(ready.json()).toMatchObject({ error: { type: 'storage_full' }, room: 'full' });

      const { body, contentType } = multipart([{ filename: 'big.bin', content: randomBytes(6 * 1024 * 1024) }]);
      const refused = await onSameConnection('POST', `${ws}/files/after`, { bytes: body, contentType });
      expect(refused.status).toBe(507);
      expect(JSON.parse(refused.text)).toMatchObject({
        status: 'error',
        error: { type: 'storage_full', detail: expect.stringMatching(/full \(ENOSPC\)/) },
      });
      // the same keep-alive connection (or a fresh one, if the server closed it) answers the next request
      const next = await onSameConnection('GET', `${ws}/changes`);
      expect(next.status).toBe(200);
      expect((await stagedFiles(sluice.url, ws)).has('before/kept.txt')).toBe(true);
      expect((await stagedFiles(sluice.url, ws)).has('after/big.bin')).toBe(false);
      expect(await listKeys(new FsBlobStore({ root: dataDir, fsync: false }), 'spool/')).toEqual([]);
    },
  );

  it('comes back by itself once there is room again', async () => {
    rmSync(filler, { force: true });
    await waitFor(
      '/api/ready to answer 200 again',
      async () => (await send(sluice.url, 'GET', '/api/ready')).status === 200,
      30_000,
    );
    const again = await upload(sluice.url, `${ws}/files/after`, [
      { filename: 'big.bin', content: randomBytes(6 * 1024 * 1024) },
    ]);
    expect(again.status).toBe(200);
    expect(again.json().paths).toEqual(['after/big.bin']);
  });
});
