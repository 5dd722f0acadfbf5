import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { multipart, repoWithWorkspace, send, upload } from './support/oxen-http.js';
import { rawRequest } from './support/raw-http.js';
import { waitFor } from './support/wait-for.js';

/** Too much at once is refused before the body is read, and idle connections do not starve the health check. */
describe('too much at once', () => {
  let sluice: SluiceProcess;
  let ws = '';
  const open: Socket[] = [];
  beforeAll(async () => {
    sluice = await startSluice(
      testEnv('fs', {
        SLUICE_MAX_UPLOADS_IN_FLIGHT: '2',
        SLUICE_MAX_SPOOL_BYTES_IN_FLIGHT: String(64 * 1024 * 1024),
        // one address holds both stalled uploads here: this test is about the node-wide limit
        SLUICE_MAX_UPLOADS_PER_CALLER: '2',
        SLUICE_UPLOAD_MIN_BYTES_PER_SECOND: '0',
      }).env,
    );
    ws = await repoWithWorkspace(sluice.url, 'ox', 'busy', 'w');
  });
  afterAll(async () => {
    for (const socket of open) socket.destroy();
    await sluice?.stop();
  });

  /** An upload whose headers and first bytes are sent, and whose body then waits. */
  const hangingUpload = async (): Promise<Socket> => {
    const { body, contentType } = multipart([{ filename: 'slow.bin', content: Buffer.alloc(1024 * 1024, 1) }]);
    const url = new URL(sluice.url);
    const socket = connect(Number(url.port), url.hostname);
    socket.on('error', () => undefined);
    open.push(socket);
    socket.write(
      `POST ${ws}/files/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ` +
        `${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.subarray(0, 1000));
    return socket;
  };

  it(
    'answers 503 too_busy at once past the uploads in flight, ' +
      '413 past the whole byte budget, and admits again when one ends',
    async () => {
      const first = await hangingUpload();
      await hangingUpload();
      // both admitted (the request line is logged just before admission): the next one is past the budget
      const admitted = () =>
        sluice
          .output()
          .split('\n')
          .filter((line) => line.includes('incoming request') && line.includes('/files/slow')).length;
      await waitFor('both uploads to be read', () => admitted() >= 2);
      const third = await upload(sluice.url, `${ws}/files/d`, [{ filename: 'a.txt', content: 'a', gzip: true }]);
      // answered while the two others still hang: refused, not queued behind them
      expect(third.status).toBe(503);
      expect(third.headers['retry-after']).toBeDefined();
      expect(third.json()).toMatchObject({
        status: 'error',
        error: { type: 'too_busy', detail: expect.stringMatching(/SLUICE_MAX_UPLOADS_IN_FLIGHT 2/) },
      });

      // announced past the whole budget: refused before a byte of the body is sent
      const huge = await rawRequest(
        sluice.url,
        `POST ${ws}/files/d HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; ` +
          `boundary=b\r\nContent-Length: ${128 * 1024 * 1024}\r\n\r\n`,
        { timeoutMs: 5000 },
      );
      expect(huge.status).toBe(413);
      expect(JSON.parse(huge.body).error.detail).toMatch(/SLUICE_MAX_SPOOL_BYTES_IN_FLIGHT/);

      first.destroy();
      await waitFor(
        'a slot to free up',
        async () =>
          (await upload(sluice.url, `${ws}/files/d`, [{ filename: 'b.txt', content: 'b', gzip: true }])).status === 200,
      );
    },
  );

  it('answers health checks while thousands of idle connections are open', async () => {
    const url = new URL(sluice.url);
    const connected: Array<Promise<void>> = [];
    for (let i = 0; i < 2000; i++) {
      const socket = connect(Number(url.port), url.hostname);
      socket.on('error', () => undefined);
      connected.push(new Promise((resolve) => socket.once('connect', () => resolve())));
      open.push(socket);
    }
    await Promise.all(connected);
    expect((await send(sluice.url, 'GET', '/api/health')).status).toBe(200);
  });
});
