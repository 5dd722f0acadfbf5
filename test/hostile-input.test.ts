import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { repoRoot } from './support/repo-root.js';
import { listKeys, storeKinds, testEnv, type TestEnv } from './support/test-env.js';
import { multipart, repoWithWorkspace, send, sendJson, stagedFiles, upload } from './support/oxen-http.js';
import { rawRequest } from './support/raw-http.js';
import { waitFor } from './support/wait-for.js';
import { tempDir } from './support/temp-dirs.js';

/** Refused requests change nothing, names are never silently changed, and every refusal is in the envelope. */
describe('hostile input leaves nothing behind', () => {
  let sluice: SluiceProcess;
  let env: TestEnv;
  beforeAll(async () => {
    env = testEnv('fs');
    sluice = await startSluice(env.env);
  });
  afterAll(async () => sluice?.stop());

  it(
    'creates a repository with initial files all or nothing: ' +
      'a bad file refuses the whole and the corrected retry succeeds',
    async () => {
      const bad = await sendJson(sluice.url, 'POST', '/api/repos', {
        namespace: 'ox',
        name: 'atomic',
        files: [
          { path: 'ok.txt', contents: 'ok' },
          { path: '../escape', contents: 'x' },
        ],
      });
      expect(bad.status).toBe(400);
      expect((await send(sluice.url, 'GET', '/api/repos/ox/atomic')).status).toBe(404);
      const good = await sendJson(sluice.url, 'POST', '/api/repos', {
        namespace: 'ox',
        name: 'atomic',
        files: [{ path: 'ok.txt', contents: 'ok' }],
      });
      expect(good.status).toBe(200);
      expect(good.json().repository.latest_commit.message).toBe('Initial commit');
    },
  );

  it(
    'holds every route that creates a branch to one rule, ' + 'and a refused first workspace creates no branch',
    async () => {
      expect((await sendJson(sluice.url, 'POST', '/api/repos', { namespace: 'ox', name: 'empty' })).status).toBe(200);
      for (const branch of ['', '../../x', 'a\u0000b', 'a\nb', '/abs', 'x/', 'a//b', 'x/./y', '\ud800']) {
        const reply = await sendJson(sluice.url, 'PUT', '/api/repos/ox/empty/workspaces', {
          workspace_id: 'w',
          branch_name: branch,
        });
        expect(reply.status, JSON.stringify(branch)).toBe(400);
        expect(reply.json().status).toBe('error');
        const viaPost = await sendJson(sluice.url, 'POST', '/api/repos/ox/atomic/branches', {
          new_name: branch,
          from_name: 'main',
        });
        expect(viaPost.status, JSON.stringify(branch)).toBe(400);
      }
      expect((await send(sluice.url, 'GET', '/api/repos/ox/empty/branches')).json().branches).toEqual([]);
      expect((await send(sluice.url, 'GET', '/api/repos/ox/empty/workspaces')).json().workspaces).toEqual([]);
      expect(
        (await send(sluice.url, 'GET', '/api/repos/ox/atomic/branches'))
          .json()
          .branches.map((b: { name: string }) => b.name),
      ).toEqual(['main']);
      // a tree hash is not a commit: no branch with commit_id ""
      const tree = (await send(sluice.url, 'GET', '/api/repos/ox/atomic/dir/main/')).json().dir.hash;
      expect(
        (await sendJson(sluice.url, 'POST', '/api/repos/ox/atomic/branches', { new_name: 'tree', commit_id: tree }))
          .status,
      ).toBe(404);
      expect((await send(sluice.url, 'GET', `/api/repos/ox/atomic/dir/${tree}/`)).status).toBe(404);
    },
  );

  it(
    'refuses a filename past 4096 bytes whole instead of staging it cut, ' + 'and a lone surrogate in a JSON path',
    async () => {
      const ws = await repoWithWorkspace(sluice.url, 'ox', 'names', 'w');
      const long = await upload(sluice.url, `${ws}/files/d`, [
        { filename: 'n'.repeat(100_000), content: 'x', gzip: true },
      ]);
      expect(long.status).toBe(400);
      expect(long.json()).toMatchObject({
        status: 'error',
        error: { type: 'name_too_long', detail: expect.stringMatching(/4096/) },
      });
      expect(
        (await upload(sluice.url, `${ws}/files/d`, [{ filename: 'ok.txt', content: 'ok', gzip: true }])).json().paths,
      ).toEqual(['d/ok.txt']);
      for (const [method, path, body] of [
        ['POST', `${ws}/stage_hashes`, '{"files":[{"path":"a\\ud800b","hash":"1"}]}'],
        ['PATCH', `${ws}/files/d/ok.txt`, '{"new_path":"\\ud800.txt"}'],
      ] as const) {
        const reply = await send(sluice.url, method, path, { headers: { 'content-type': 'application/json' }, body });
        expect(reply.status, path).toBe(400);
        expect(reply.json().error.type).toBe('invalid_path');
      }
      expect([...(await stagedFiles(sluice.url, ws)).keys()]).toEqual(['d/ok.txt']);
    },
  );

  it('holds every route that names a path to the 4096-byte rule: none stages a 5,000-byte path', async () => {
    const ws = await repoWithWorkspace(sluice.url, 'ox', 'long-paths', 'w');
    const repo = '/api/repos/ox/long-paths';
    expect((await upload(sluice.url, `${ws}/files/`, [{ filename: 'ok.txt', content: 'ok', gzip: true }])).status).toBe(
      200,
    );
    const hash = (await stagedFiles(sluice.url, ws)).get('ok.txt')!.hash;
    const long = 'abcd/'.repeat(1000).slice(0, -1);
    expect(Buffer.byteLength(long)).toBe(4999);
    // the same path spelled with dropped segments is as long as what would be staged
    const padded = `${'./'.repeat(10)}${long}`;
    const chunked = await sendJson(sluice.url, 'POST', `${repo}/versions/${hash}/complete`, {
      workspace_id: 'w',
      files: [{ hash, file_name: long.slice(5), dst_dir: 'abcd', num_chunks: 1 }],
    });
    for (const [what, reply] of [
      [
        'multipart dir + filename',
        await upload(sluice.url, `${ws}/files/${long.slice(0, 1999)}`, [
          { filename: long.slice(2000), content: 'x', gzip: true },
        ]),
      ],
      ['stage_hashes', await sendJson(sluice.url, 'POST', `${ws}/stage_hashes`, { files: [{ path: padded, hash }] })],
      [
        'resumable destination',
        await sendJson(sluice.url, 'POST', `${repo}/versions/uploads`, {
          hash,
          size: 2,
          destination: { path: long, workspace_id: 'w' },
        }),
      ],
      ['PATCH new_path', await sendJson(sluice.url, 'PATCH', `${ws}/files/ok.txt`, { new_path: long })],
      ['chunked file_name', chunked],
    ] as const) {
      expect(reply.status, what).toBe(400);
      expect(reply.json(), what).toMatchObject({
        status: 'error',
        error: { type: 'name_too_long', detail: expect.stringMatching(/4999 bytes; the limit is 4096/) },
      });
    }
    // 4096 bytes is still fine, on each route alike
    const longest = long.slice(0, 4096);
    expect(
      (await sendJson(sluice.url, 'POST', `${ws}/stage_hashes`, { files: [{ path: longest, hash }] })).json().paths,
    ).toEqual([longest]);
    expect([...(await stagedFiles(sluice.url, ws)).keys()].sort()).toEqual([longest, 'ok.txt']);
  });

  it(
    'keeps ids inside their own keys: ' +
      'a workspace named "x}:meta" holding a file named "json" makes no repository appear',
    async () => {
      const ws = await repoWithWorkspace(sluice.url, 'ox', 'agg', 'x}:meta');
      expect(
        (
          await upload(sluice.url, `${ws.replace('x}:meta', encodeURIComponent('x}:meta'))}/files/`, [
            { filename: 'json', content: '{}', gzip: true },
          ])
        ).status,
      ).toBe(200);
      for (const name of ['agg}:staged:x', 'agg%7D%3Astaged%3Ax', 'agg}', 'a:b']) {
        const reply = await send(sluice.url, 'GET', `/api/repos/ox/${name}`);
        expect(reply.status, name).toBe(404);
        expect(reply.json().status).toBe('error');
      }
      const redis = new Redis(inject('redisUrl'));
      const keys = await redis.keys(`*${env.env.SLUICE_KEY_PREFIX}:r:ox/agg*`);
      redis.disconnect();
      expect(keys.filter((k) => k.includes('staged:')).sort()).toEqual([
        `{${env.env.SLUICE_KEY_PREFIX}:r:ox/agg}:staged:x%7D%3Ameta`,
      ]);
    },
  );

  it("answers the framework's own refusals in the Oxen envelope", async () => {
    const cases: Array<[string, number]> = [
      ['GET /api/repos/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 400],
      ['GET /api/repos/ox HTTP/1.1\r\n\r\n', 400],
      ['GET /api/repos/ox HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 202-accepted\r\n\r\n', 417],
    ];
    for (const [raw, status] of cases) {
      const reply = await rawRequest(sluice.url, raw);
      expect(reply.status, raw).toBe(status);
      expect(JSON.parse(reply.body)).toMatchObject({
        status: 'error',
        status_message: expect.any(String),
        error: { type: expect.any(String) },
      });
    }
  });

  it.each(storeKinds())(
    'leaves no spool object behind when an asynchronous upload is cut mid-part (%s store, durable writes)',
    async (kind) => {
      // durable writes (fsync) keep a chunk's write in flight longest: the cleanup must wait for it
      const env = testEnv(kind, { SLUICE_FS_FSYNC: 'true' });
      const sluice = await startSluice(env.env);
      onTestFinished(() => sluice.stop());
      const ws = await repoWithWorkspace(sluice.url, 'ox', 'aborted', 'w');
      const { body, contentType } = multipart([{ filename: 'big.bin', content: Buffer.alloc(0) }]);
      const head = body.subarray(0, body.indexOf('\r\n\r\n') + 4);
      const url = new URL(sluice.url);
      const req = httpRequest({
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: `${ws}/files/d`,
        headers: { 'content-type': contentType, prefer: 'respond-async', 'transfer-encoding': 'chunked' },
      });
      req.on('error', () => undefined);
      req.write(head);
      const block = Buffer.alloc(1024 * 1024, 7);
      for (let i = 0; i < 40; i++) await new Promise<void>((done) => req.write(block, () => done()));
      const store = await env.store();
      await waitFor('the first 32 MiB chunk to be written', async () => (await listKeys(store, 'spool/')).length > 0);
      req.destroy();
      await waitFor('the spool to be empty', async () => (await listKeys(store, 'spool/')).length === 0);
      expect((await stagedFiles(sluice.url, ws)).size).toBe(0);
    },
  );
});

describe('rate limits count the caller, not the header', () => {
  let sluice: SluiceProcess;
  let env: TestEnv;
  let token = '';
  beforeAll(async () => {
    const tokensFile = join(tempDir('sluice-rate-'), 'tokens.json');
    const made = spawnSync(
      process.execPath,
      [join(repoRoot(), 'apps/sluice/dist/main.js'), 'token', 'create', '--name', 'real', '--scope', 'ox:write'],
      {
        env: { PATH: process.env.PATH, SLUICE_AUTH_TOKENS_FILE: tokensFile },
        encoding: 'utf8',
      },
    );
    token = made.stdout.trim();
    env = testEnv('fs', {
      SLUICE_AUTH: 'on',
      SLUICE_AUTH_TOKENS_FILE: tokensFile,
      SLUICE_RATE_LIMIT: '4',
      SLUICE_RATE_LIMIT_WINDOW_SECONDS: '60',
    });
    sluice = await startSluice(env.env);
  });
  afterAll(async () => sluice?.stop());

  it(
    "puts missing and invented tokens in the IP's one bucket, answers 401 before reading a body, and gives a " +
      'real token its own',
    async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await send(sluice.url, 'GET', '/api/repos/ox')).status);
      expect(statuses).toEqual([401, 401, 401, 401]);
      for (let i = 0; i < 5; i++) {
        const invented = await send(sluice.url, 'GET', '/api/repos/ox', {
          headers: { authorization: `Bearer made-up-${i}` },
        });
        expect(invented.status).toBe(429);
        expect(invented.json().status_message).toBe('too_many_requests');
      }
      expect(
        (await send(sluice.url, 'GET', '/api/repos/ox', { headers: { authorization: `Bearer ${token}` } })).status,
      ).toBe(200);
      const redis = new Redis(inject('redisUrl'));
      const buckets = await redis.keys(`${env.env.SLUICE_KEY_PREFIX}:rate:*`);
      redis.disconnect();
      expect(buckets).toHaveLength(2); // the IP's and the real token's: none per invented token

      // 2 MiB announced, 1 byte sent: the refusal comes without waiting for the body
      const answered = await rawRequest(
        sluice.url,
        `POST /api/repos HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer made-up\r\nContent-Type: ` +
          `application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n{`,
        { timeoutMs: 5000 },
      );
      expect(answered.status).toBe(429);
    },
  );
});
