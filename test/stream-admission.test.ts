import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { repoWithWorkspace, send, sendJson, upload } from './support/oxen-http.js';

/** Opens an archive and reads nothing of it but its head. */
function openUnread(base: string, path: string): Promise<{ res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, (res) => {
      res.pause();
      res.on('error', () => undefined);
      resolve({ res });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Archives hold a read-ahead window while they are sent (a reviewer opened 30 and read none: 19 MB
 * each, 850 MB in all): a caller gets its share of them and no more, and a client that stops
 * reading is cut once SLUICE_STREAM_STALL_SECONDS pass, which frees its share.
 */
describe('streamed archives, bounded', () => {
  let sluice: SluiceProcess;
  const archive = '/api/repos/ox/big/archive/main/';
  beforeAll(async () => {
    const limits = { SLUICE_MAX_STREAMS_PER_CALLER: '2', SLUICE_STREAM_STALL_SECONDS: '2' };
    sluice = await startSluice(testEnv('fs', limits).env);
    const ws = await repoWithWorkspace(sluice.url, 'ox', 'big', 'w');
    // larger than the loopback socket's buffers, so an unread archive stays unfinished
    const files = Array.from({ length: 24 }, (_, i) => ({ filename: `f${i}.bin`, content: randomBytes(1 << 20) }));
    expect((await upload(sluice.url, `${ws}/files/d`, files)).status).toBe(200);
    const commit = { message: 'm', author: 'a', email: 'a@x' };
    expect((await sendJson(sluice.url, 'POST', `${ws}/merge/main`, commit)).status).toBe(200);
  }, 120_000);
  afterAll(async () => sluice?.stop());

  it(
    'refuses a caller past its share with 503 and Retry-After, and cuts readers that stall',
    { timeout: 60_000 },
    async () => {
      const unread = [await openUnread(sluice.url, archive), await openUnread(sluice.url, archive)];
      for (const { res } of unread) expect(res.statusCode).toBe(200);
      const third = await send(sluice.url, 'GET', archive);
      expect(third.status).toBe(503);
      expect(third.headers['retry-after']).toBe('2');
      expect(third.json()).toMatchObject({ status: 'error', error: { type: 'too_busy' } });
      // the two that read nothing are cut (a paused client sees it only when it reads again); their share comes back
      const cut = () => expect(sluice.output().match(/took nothing for 2 s/g)).toHaveLength(2);
      await vi.waitFor(cut, { timeout: 20_000, interval: 250 });
      for (const { res } of unread) res.destroy();
      const whole = await send(sluice.url, 'GET', archive);
      expect(whole.status).toBe(200);
      expect(whole.body.length).toBeGreaterThan(24 * 1024 * 1024);
    },
  );
});
