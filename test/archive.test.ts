import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { packPrefix } from '@sluice/storage';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { listKeys, storeKinds, testEnv, type TestEnv } from './support/test-env.js';
import { send, sendJson, upload, type Part } from './support/oxen-http.js';
import { readTar } from './support/tar-entries.js';
import { repoRoot } from './support/repo-root.js';
import { tempDir } from './support/temp-dirs.js';

/** Paths compared segment by segment, each by its UTF-8 bytes: the archive's documented order. */
function byArchiveOrder(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const order = Buffer.compare(Buffer.from(x[i]!), Buffer.from(y[i]!));
    if (order !== 0) return order;
  }
  return x.length - y.length;
}

/** A GET read to its end or its cut: the bytes that came, and the error that cut them, if any. */
function fetchAll(base: string, path: string, headers: Record<string, string> = {}, stopAfter = Infinity) {
  const url = new URL(base);
  type Fetched = { status: number; headers: Record<string, unknown>; body: Buffer; error: Error | null };
  return new Promise<Fetched>((resolve) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      let length = 0;
      const done = (error: Error | null) =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), error });
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        length += chunk.length;
        if (length >= stopAfter) {
          req.destroy();
          done(null);
        }
      });
      res.on('end', () => done(null));
      res.on('error', done);
      res.on('aborted', () => done(new Error('aborted')));
    });
    req.on('error', (error) => resolve({ status: 0, headers: {}, body: Buffer.alloc(0), error }));
    req.end();
  });
}

const contentOf = (i: number) => Buffer.from(`row ${i}\n`.repeat((i % 50) + 1));
const pathOf = (i: number) => `d${i % 7}/s${i % 13}/f${i}.txt`;

/**
 * `GET R/archive/{revision}/{path}`: a tree of 10,000 files (and a few odd ones) uploaded in
 * batches, committed, and read back in one tar whose every entry is checked against what was
 * sent: name, bytes, mode, mtime and the hash in its pax record; resumed with `after=`; plain and
 * gzipped; a file path; 404s; a client that goes away; a pack lost midway.
 */
describe.each(storeKinds())('the archive route (%s store)', (kind) => {
  let sluice: SluiceProcess;
  let env: TestEnv;
  const R = '/api/repos/ox/tree';
  const files = new Map<string, Buffer>();
  let commitId = '';
  let mtime = 0;
  let lastBatchPacks: string[] = [];
  let whole: Buffer;

  beforeAll(async () => {
    env = testEnv(kind);
    sluice = await startSluice(env.env);
    expect((await sendJson(sluice.url, 'POST', '/api/repos', { namespace: 'ox', name: 'tree' })).status).toBe(200);
    const workspace = await sendJson(sluice.url, 'PUT', `${R}/workspaces`, { workspace_id: 'w', branch_name: 'main' });
    expect(workspace.status).toBe(200);
    for (let i = 0; i < 10_000; i++) files.set(pathOf(i), contentOf(i));
    // names whose byte order differs from UTF-16 order (U+E000 before U+1F600 by bytes), a name
    // past ustar's 100 bytes, a file beside a directory of its name's prefix, and larger files:
    // one packed (3 MiB), one an object of its own (5 MiB), one gzip kept as sent
    const odd: Array<[string, Buffer]> = [
      ['odd/\u{E000}.txt', Buffer.from('private use\n')],
      ['odd/\u{1F600}.txt', Buffer.from('emoji\n')],
      ['odd/a.txt', Buffer.from('a file\n')],
      ['odd/a/b.txt', Buffer.from('under a\n')],
      [`odd/${'ü'.repeat(60)}.txt`, Buffer.from('long name\n')],
      ['odd/empty.txt', Buffer.alloc(0)],
      ['big/packed.bin', randomBytes(3 * 1024 * 1024)],
      ['big/loose.bin', randomBytes(5 * 1024 * 1024)],
    ];
    for (const [path, content] of odd) files.set(path, content);
    const paths = [...files.keys()];
    const batches = Array.from({ length: 10 }, (_, b) => paths.filter((_, i) => i % 10 === b));
    batches.push(odd.map(([path]) => path));
    // the last batch: files that sort last, whose pack the last test loses
    const last = Array.from({ length: 200 }, (_, i) => `zz/f${String(i).padStart(3, '0')}.txt`);
    for (const path of last) files.set(path, Buffer.from(`last ${path}\n`));
    for (const [b, batch] of batches.entries()) {
      const parts: Part[] = batch.map((path) => ({ filename: path, content: files.get(path)!, gzip: b % 2 === 0 }));
      const reply = await upload(sluice.url, `${R}/workspaces/w/files/data`, parts);
      expect(reply.status, reply.body.toString().slice(0, 300)).toBe(200);
    }
    const store = await env.store();
    const before = new Set(await listKeys(store, packPrefix));
    const lastParts = last.map((path) => ({ filename: path, content: files.get(path)! }));
    const reply = await upload(sluice.url, `${R}/workspaces/w/files/data`, lastParts);
    expect(reply.status).toBe(200);
    lastBatchPacks = (await listKeys(store, packPrefix)).filter((key) => !before.has(key));
    expect(lastBatchPacks.length).toBeGreaterThan(0);
    const message = { message: 'tree', author: 'Ox', email: 'ox@example.com' };
    const committed = await sendJson(sluice.url, 'POST', `${R}/workspaces/w/commit/main`, message);
    expect(committed.status, committed.body.toString()).toBe(200);
    commitId = committed.json().commit.id;
    mtime = Math.floor(Date.parse(committed.json().commit.timestamp) / 1000);
  }, 600_000);
  afterAll(async () => sluice?.stop());

  it('streams every file under a directory once, depth first in byte order, each as it was sent', async () => {
    const before = (await send(sluice.url, 'GET', '/api/stats')).json().store_requests;
    const reply = await fetchAll(sluice.url, `${R}/archive/main/data`);
    expect(reply.error).toBeNull();
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/x-tar');
    expect(reply.headers['oxen-revision-id']).toBe(commitId);
    whole = reply.body;
    const { entries, complete } = readTar(reply.body);
    expect(complete).toBe(true);
    expect(entries.map((e) => e.name)).toEqual([...files.keys()].sort(byArchiveOrder));
    const at = (name: string) => entries.findIndex((e) => e.name === name);
    expect(at('odd/\u{E000}.txt')).toBeLessThan(at('odd/\u{1F600}.txt'));
    expect(at('odd/a/b.txt')).toBeLessThan(at('odd/a.txt'));
    for (const entry of entries) {
      const sent = files.get(entry.name)!;
      expect(entry.content.equals(sent), entry.name).toBe(true);
      expect(entry.pax['SLUICE.hash'], entry.name).toBe(await oxenHash(sent));
      expect([entry.type, entry.mode, entry.mtime]).toEqual(['0', 0o644, mtime]);
    }
    // read from packs a run at a time, not a request per file
    const after = (await send(sluice.url, 'GET', '/api/stats')).json().store_requests;
    const rangeReads = (after.packs?.get ?? 0) - (before.packs?.get ?? 0);
    expect(rangeReads).toBeGreaterThan(0);
    expect(rangeReads).toBeLessThan(files.size / 20);
  }, 120_000);

  it('resumes after a path: exactly the entries after it; after a directory, or a path that is not there', async () => {
    const all = readTar(whole).entries.map((e) => e.name);
    for (const [after, from] of [
      [all[4321]!, 4322],
      ['d3', all.findIndex((name) => name.startsWith('d3/'))],
      ['d3/s5/f0.txt', all.findIndex((name) => name.startsWith('d3/s5/') && byArchiveOrder(name, 'd3/s5/f0.txt') > 0)],
      ['odd/a', all.indexOf('odd/a/b.txt')],
      [all.at(-1)!, all.length],
    ] as const) {
      const reply = await fetchAll(sluice.url, `${R}/archive/main/data?after=${encodeURIComponent(after)}`);
      expect(reply.status).toBe(200);
      const { entries, complete } = readTar(reply.body);
      expect(complete).toBe(true);
      expect(
        entries.map((e) => e.name),
        after,
      ).toEqual(all.slice(from));
    }
  }, 120_000);

  it('gzips the same tar with gzip=true; a path that is a file gives one entry, its base name', async () => {
    const gz = await fetchAll(sluice.url, `${R}/archive/main/data/odd?gzip=true`);
    expect(gz.status).toBe(200);
    expect(gz.headers['content-type']).toBe('application/gzip');
    const plain = await fetchAll(sluice.url, `${R}/archive/main/data/odd`);
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    const odd = [...files.keys()].filter((p) => p.startsWith('odd/')).map((p) => p.slice(4));
    expect(readTar(plain.body).entries.map((e) => e.name)).toEqual(odd.sort(byArchiveOrder));

    // the file name: an ASCII fallback, then the UTF-8 name (RFC 6266, RFC 5987)
    expect(gz.headers['content-disposition']).toBe(`attachment; filename="odd.tar.gz"; filename*=UTF-8''odd.tar.gz`);
    const emoji = await fetchAll(sluice.url, `${R}/archive/main/data/odd/${encodeURIComponent('\u{1F600}.txt')}`);
    expect(emoji.status).toBe(200);
    expect(emoji.headers['content-disposition']).toBe(
      `attachment; filename="_.txt.tar"; filename*=UTF-8''%F0%9F%98%80.txt.tar`,
    );
    const one = readTar((await fetchAll(sluice.url, `${R}/archive/${commitId}/data/big/loose.bin`)).body);
    expect(one.entries.map((e) => [e.name, e.size])).toEqual([['loose.bin', 5 * 1024 * 1024]]);
    expect(one.entries[0]!.content.equals(files.get('big/loose.bin')!)).toBe(true);
    // the whole tree from the root names the directory too
    const root = readTar(gunzipSync((await fetchAll(sluice.url, `${R}/archive/main?gzip=true`)).body));
    expect(root.entries.length).toBe(files.size);
    expect(root.entries[0]!.name.startsWith('data/')).toBe(true);
  }, 120_000);

  it('answers 404 in the envelope for a missing path or revision, before anything is streamed', async () => {
    const missing = [
      `${R}/archive/main/data/nope`,
      `${R}/archive/no-such-branch/data`,
      `${R}/archive/0123456789abcdef0123456789abcdef/data`,
      '/api/repos/ox/none/archive/main',
    ];
    for (const path of missing) {
      const reply = await send(sluice.url, 'GET', path);
      expect(reply.status, path).toBe(404);
      expect(reply.json(), path).toMatchObject({ status: 'error', status_message: 'resource_not_found' });
    }
  });

  it('stops walking and reading when the client goes away', async () => {
    const stats = async () => (await send(sluice.url, 'GET', '/api/stats')).json().store_requests.packs?.get ?? 0;
    const start = await stats();
    const cut = await fetchAll(sluice.url, `${R}/archive/main/data`, {}, 64 * 1024);
    expect(cut.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const afterCut = await stats();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await stats()).toBe(afterCut);
    const partial = afterCut - start;
    await fetchAll(sluice.url, `${R}/archive/main/data`);
    const full = (await stats()) - afterCut;
    expect(partial).toBeLessThan(full);
  }, 60_000);

  it('cuts the stream, never ends it as whole, when a pack cannot be read midway', async () => {
    const store = await env.store();
    await store.delete(lastBatchPacks);
    const reply = await fetchAll(sluice.url, `${R}/archive/main/data`);
    expect(reply.status).toBe(200);
    expect(reply.error).not.toBeNull();
    const { entries, complete } = readTar(reply.body);
    expect(complete).toBe(false);
    expect(entries.length).toBeGreaterThan(1000);
    expect(entries.some((e) => e.name.startsWith('zz/'))).toBe(false);
    // lost before the first byte: an answer in the envelope, not
    // a file (a reviewer got 500 `{}` with the tar's headers)
    const lost = await send(sluice.url, 'GET', `${R}/archive/main/data/zz`);
    expect(lost.status).toBeGreaterThanOrEqual(400);
    expect(lost.headers['content-type']).toMatch(/^application\/json/);
    expect(lost.headers['content-disposition']).toBeUndefined();
    expect(lost.json()).toMatchObject({ status: 'error' });
  }, 60_000);
});

function createToken(tokensFile: string, name: string, scope: string): string {
  const cli = [join(repoRoot(), 'apps/sluice/dist/main.js'), 'token', 'create', '--name', name, '--scope', scope];
  const result = spawnSync(process.execPath, cli, {
    env: { PATH: process.env.PATH, SLUICE_AUTH_TOKENS_FILE: tokensFile },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}

describe('the archive route across tenants', () => {
  let sluice: SluiceProcess;
  afterAll(async () => sluice?.stop());

  it("refuses another tenant's archive, and resolves no foreign commit id in one's own repository", async () => {
    const tokensFile = join(tempDir('sluice-archive-'), 'tokens.json');
    const alpha = createToken(tokensFile, 'alpha', 'alpha:write');
    const beta = createToken(tokensFile, 'beta', 'beta:write');
    sluice = await startSluice(testEnv('fs', { SLUICE_AUTH: 'on', SLUICE_AUTH_TOKENS_FILE: tokensFile }).env);
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    const json = (token: string, method: string, path: string, body: unknown) =>
      send(sluice.url, method, path, {
        headers: { ...as(token), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const betaFiles = [{ path: 'pin.txt', contents: 'PIN=4321\n' }];
    const created = await json(beta, 'POST', '/api/repos', { namespace: 'beta', name: 'secrets', files: betaFiles });
    expect(created.status).toBe(200);
    const alphaFiles = [{ path: 'a.txt', contents: 'alpha\n' }];
    const mine = await json(alpha, 'POST', '/api/repos', { namespace: 'alpha', name: 'mine', files: alphaFiles });
    expect(mine.status).toBe(200);
    const branch = await send(sluice.url, 'GET', '/api/repos/beta/secrets/branches/main', { headers: as(beta) });
    const betaCommit = branch.json().branch.commit_id as string;

    const own = await fetchAll(sluice.url, '/api/repos/beta/secrets/archive/main', as(beta));
    expect(readTar(own.body).entries.map((e) => e.content.toString())).toEqual(['PIN=4321\n']);
    const refused = await send(sluice.url, 'GET', '/api/repos/beta/secrets/archive/main', { headers: as(alpha) });
    expect(refused.status).toBe(403);
    expect(refused.json()).toMatchObject({ status: 'error' });
    expect((await send(sluice.url, 'GET', '/api/repos/beta/secrets/archive/main')).status).toBe(401);
    const foreign = await send(sluice.url, 'GET', `/api/repos/alpha/mine/archive/${betaCommit}`, {
      headers: as(alpha),
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.toString()).not.toContain('PIN');
  }, 60_000);
});
