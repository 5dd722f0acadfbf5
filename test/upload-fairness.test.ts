import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { multipart, repoWithWorkspace, stagedFiles, upload } from './support/oxen-http.js';
import { waitFor } from './support/wait-for.js';

/** An upload whose headers and first bytes are sent from `localAddress`, and whose body then waits. */
function hangingUpload(
  base: string,
  path: string,
  localAddress: string,
  open: Socket[],
): { socket: Socket; answer: () => string } {
  const { body, contentType } = multipart([{ filename: 'slow.bin', content: Buffer.alloc(64 * 1024, 1) }]);
  const url = new URL(base);
  const socket = connect({ port: Number(url.port), host: url.hostname, localAddress });
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8');
  });
  socket.on('error', () => undefined);
  open.push(socket);
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\n` +
      `Content-Length: ${body.length}\r\n\r\n`,
  );
  socket.write(body.subarray(0, 1000));
  return { socket, answer: () => received };
}

describe('upload slots are shared fairly', () => {
  const open: Socket[] = [];
  let sluice: SluiceProcess | undefined;
  afterEach(async () => {
    for (const socket of open.splice(0)) socket.destroy();
    await sluice?.stop();
    sluice = undefined;
  });
  afterAll(async () => sluice?.stop());

  it("one caller's stalled uploads take only its share: another caller is still admitted", async () => {
    sluice = await startSluice(
      testEnv('fs', {
        SLUICE_MAX_UPLOADS_IN_FLIGHT: '4',
        SLUICE_UPLOAD_MIN_BYTES_PER_SECOND: '0',
      }).env,
    );
    const ws = await repoWithWorkspace(sluice.url, 'ox', 'fair', 'w');
    // caller A (another loopback address) tries to take all four slots
    const a = [0, 1, 2, 3].map(() => hangingUpload(sluice!.url, `${ws}/files/slow`, '127.0.0.2', open));
    const refusedOf = () => a.filter((h) => h.answer().startsWith('HTTP/1.1 503'));
    await waitFor('A past its share to be refused', () => refusedOf().length === 2);
    const refused = a.find((h) => h.answer().startsWith('HTTP/1.1 503'))!.answer();
    expect(refused.toLowerCase()).toContain('retry-after:');
    expect(refused).toMatch(/"type":"too_busy".*SLUICE_MAX_UPLOADS_PER_CALLER 2/s);
    // caller B, while A's two admitted uploads still hang
    const b = await upload(sluice.url, `${ws}/files/d`, [{ filename: 'b.txt', content: 'b', gzip: true }]);
    expect(b.status).toBe(200);
    expect(a.filter((h) => h.answer() === '').length).toBe(2);
  });

  it('cuts a body trickling below the minimum rate, frees its slot and stages nothing of it', async () => {
    sluice = await startSluice(
      testEnv('fs', {
        SLUICE_MAX_UPLOADS_IN_FLIGHT: '1',
        SLUICE_UPLOAD_MIN_BYTES_PER_SECOND: '1024',
        SLUICE_UPLOAD_RATE_WINDOW_SECONDS: '2',
      }).env,
    );
    const ws = await repoWithWorkspace(sluice.url, 'ox', 'trickle', 'w');
    const slow = hangingUpload(sluice.url, `${ws}/files/slow`, '127.0.0.1', open);
    // a byte every 100 ms: alive, but far below 1024 bytes a second
    const drip = setInterval(() => {
      if (!slow.socket.destroyed) slow.socket.write('x');
    }, 100);
    try {
      await waitFor('the trickle to be cut', () => slow.socket.destroyed || slow.socket.readableEnded, 30_000);
      expect(slow.answer()).toMatch(/^HTTP\/1\.1 408/);
      expect(slow.answer()).toMatch(/"type":"body_too_slow"/);
    } finally {
      clearInterval(drip);
    }
    // its slot (the only one) is free again
    const next = await upload(sluice.url, `${ws}/files/d`, [{ filename: 'b.txt', content: 'b', gzip: true }]);
    expect(next.status).toBe(200);
    expect([...(await stagedFiles(sluice.url, ws)).keys()]).toEqual(['d/b.txt']);
  });
});
