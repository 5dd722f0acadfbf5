import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv, type TestEnv } from './support/test-env.js';
import { repoWithWorkspace, send, stagedFiles, upload } from './support/oxen-http.js';
import { redisSnapshot } from './support/redis-snapshot.js';

/**
 * With auth off (a workstation's default), a web page the user visits must not write into their
 * sluice: browsers send a multipart upload or a form-typed JSON body cross-origin without asking
 * first, and a rebinding DNS name makes a page's requests reach a loopback server (issue 26, item 14).
 */
describe('requests from other web pages', () => {
  let sluice: SluiceProcess;
  let env: TestEnv;
  let ws = '';
  let port = '';
  beforeAll(async () => {
    env = testEnv('fs', { SLUICE_ALLOWED_ORIGINS: 'http://localhost:5173', SLUICE_ALLOWED_HOSTS: 'sluice.test' });
    sluice = await startSluice(env.env);
    port = new URL(sluice.url).port;
    ws = await repoWithWorkspace(sluice.url, 'ox', 'guarded', 'w');
  });
  afterAll(async () => {
    await sluice?.stop();
  });
  const snapshot = () => redisSnapshot(inject('redisUrl'), env.env.SLUICE_KEY_PREFIX!);

  it('refuses a cross-origin upload and a form-typed JSON body with 403 origin_refused, changing nothing', async () => {
    const before = await snapshot();
    const evil = { origin: 'http://evil.example' };
    const uploaded = await upload(sluice.url, `${ws}/files/d`, [{ filename: 'a.txt', content: 'pwned' }], evil);
    expect(uploaded.status).toBe(403);
    expect(uploaded.json()).toMatchObject({
      status: 'error',
      status_message: 'forbidden',
      error: { type: 'origin_refused' },
    });
    const created = await send(sluice.url, 'POST', '/api/repos', {
      headers: { ...evil, 'content-type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ namespace: 'ox', name: 'planted' }),
    });
    expect(created.status).toBe(403);
    expect(created.json()).toMatchObject({ error: { type: 'origin_refused' } });
    // a sandboxed page or a file sends the origin `null`
    const sandboxed = await upload(sluice.url, `${ws}/files/d`, [{ filename: 'b.txt', content: 'x' }], {
      origin: 'null',
    });
    expect(sandboxed.status).toBe(403);
    // the same origin on another port is another origin
    const otherPort = await upload(sluice.url, `${ws}/files/d`, [{ filename: 'c.txt', content: 'x' }], {
      origin: 'http://127.0.0.1:1',
    });
    expect(otherPort.status).toBe(403);

    expect(await snapshot()).toEqual(before);
    expect(await stagedFiles(sluice.url, ws)).toEqual(new Map());
    expect((await send(sluice.url, 'GET', '/api/repos/ox/planted')).status).toBe(404);
    // reads stay open to any page, as the browser keeps their answers from it
    expect((await send(sluice.url, 'GET', '/api/repos/ox/guarded', { headers: evil })).status).toBe(200);
  });

  it('refuses a Host that is not a loopback name with 403 host_refused, for reads and writes alike', async () => {
    const before = await snapshot();
    const rebound = { host: `evil.example:${port}` };
    const read = await send(sluice.url, 'GET', '/api/repos/ox/guarded', { headers: rebound });
    expect(read.status).toBe(403);
    expect(read.json()).toMatchObject({ status: 'error', error: { type: 'host_refused' } });
    // the page's origin matches its (rebound) Host: only the Host check stops it
    const written = await upload(sluice.url, `${ws}/files/d`, [{ filename: 'a.txt', content: 'pwned' }], {
      ...rebound,
      origin: `http://evil.example:${port}`,
    });
    expect(written.status).toBe(403);
    expect(written.json()).toMatchObject({ error: { type: 'host_refused' } });
    expect(await snapshot()).toEqual(before);
    expect(await stagedFiles(sluice.url, ws)).toEqual(new Map());
  });

  it(
    'serves loopback names, SLUICE_ALLOWED_HOSTS, its own origin, ' +
      'SLUICE_ALLOWED_ORIGINS and clients that send no Origin',
    async () => {
      for (const host of [
        `localhost:${port}`,
        `127.0.0.2:${port}`,
        `[::1]:${port}`,
        'sluice.test',
        `SLUICE.test:${port}`,
      ]) {
        expect((await send(sluice.url, 'GET', '/api/repos/ox/guarded', { headers: { host } })).status, host).toBe(200);
      }
      const cases: Array<[string, Record<string, string>]> = [
        ['none.txt', {}],
        ['own.txt', { origin: sluice.url }],
        ['own-localhost.txt', { origin: `http://localhost:${port}`, host: `localhost:${port}` }],
        ['allowed.txt', { origin: 'http://localhost:5173' }],
      ];
      for (const [filename, headers] of cases) {
        const reply = await upload(sluice.url, `${ws}/files/d`, [{ filename, content: filename }], headers);
        expect(reply.status, `${filename}: ${reply.body.toString()}`).toBe(200);
      }
      expect([...(await stagedFiles(sluice.url, ws)).keys()].sort()).toEqual(cases.map(([name]) => `d/${name}`).sort());
    },
  );
});
