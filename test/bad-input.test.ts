import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { listKeys, testEnv, type TestEnv } from './support/test-env.js';
import { multipart, repoWithWorkspace, send, sendJson, stagedFiles, upload, type Reply } from './support/oxen-http.js';
import { rawRequest, type RawReply } from './support/raw-http.js';
import type { JsonBody } from './support/json-body.js';

type Outcome = { status: number; json?: () => JsonBody; body?: string };
interface Case {
  name: string;
  run: (base: string, ws: string) => Promise<Reply | RawReply>;
  status: number;
  /** The error code the envelope names, where it is sluice's own answer. */
  type?: string;
}

const boundary = 'corpusboundary';
const part = (name: string, filename: string | null, type: string, body: string | Buffer) =>
  Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; ` +
        `name="${name}"${filename === null ? '' : `; filename="${filename}"`}\r\nContent-Type: ${type}\r\n\r\n`,
    ),
    Buffer.isBuffer(body) ? body : Buffer.from(body),
    Buffer.from('\r\n'),
  ]);
const end = Buffer.from(`--${boundary}--\r\n`);
const raw = (path: string, headers: string, body: Buffer | string = '') =>
  Buffer.concat([
    Buffer.from(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`),
    Buffer.isBuffer(body) ? body : Buffer.from(body),
  ]);
const mp = (body: Buffer, length = body.length) =>
  `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\n`;
const json = (base: string, method: string, path: string, body: string) =>
  send(base, method, path, { headers: { 'content-type': 'application/json' }, body });

// Each hostile request, and the answer it must get. The process must stay up through all of them.
const corpus: Case[] = [
  {
    name: 'multipart body cut off mid-part (the HTTP parser sees the early end)',
    status: 400,
    type: 'bad_request',
    run: (b, ws) => {
      const body = part('file[]', 'a.txt', 'text/plain', 'x'.repeat(1000)).subarray(0, 500);
      return rawRequest(b, raw(`${ws}/files/data`, mp(body, 2000), body), { endAfterWrite: true });
    },
  },
  {
    name: 'body shorter than its Content-Length',
    status: 400,
    run: (b, ws) => {
      const body = Buffer.concat([part('file[]', 'a.txt', 'text/plain', 'abc'), end]);
      return rawRequest(b, raw(`${ws}/files/data`, mp(body, body.length + 100), body), { endAfterWrite: true });
    },
  },
  {
    name: 'body longer than its Content-Length',
    status: 400,
    run: (b, ws) => {
      const body = Buffer.concat([part('file[]', 'a.txt', 'text/plain', 'abc'), end]);
      return rawRequest(b, raw(`${ws}/files/data`, mp(body, body.length - 20), body));
    },
  },
  {
    name: 'multipart without a boundary',
    status: 400,
    run: (b, ws) =>
      send(b, 'POST', `${ws}/files/data`, {
        headers: { 'content-type': 'multipart/form-data' },
        body: Buffer.concat([part('file[]', 'a.txt', 'text/plain', 'x'), end]),
      }),
  },
  {
    name: 'multipart with the wrong boundary',
    status: 400,
    run: (b, ws) =>
      send(b, 'POST', `${ws}/files/data`, {
        headers: { 'content-type': 'multipart/form-data; boundary=other' },
        body: Buffer.concat([part('file[]', 'a.txt', 'text/plain', 'x'), end]),
      }),
  },
  {
    name: 'not multipart at all',
    status: 415,
    type: 'not_multipart',
    run: (b, ws) =>
      send(b, 'POST', `${ws}/files/data`, {
        headers: { 'content-type': 'application/octet-stream' },
        body: 'raw bytes',
      }),
  },
  {
    name: 'no Content-Type',
    status: 415,
    type: 'not_multipart',
    run: (b, ws) => send(b, 'POST', `${ws}/files/data`, { body: 'raw bytes' }),
  },
  {
    name: 'NUL in a filename',
    status: 400,
    type: 'invalid_path',
    run: (b, ws) => upload(b, `${ws}/files/data`, [{ filename: 'a\0b.txt', content: 'x' }]),
  },
  {
    name: 'invalid UTF-8 in a filename',
    status: 400,
    type: 'invalid_path',
    run: (b, ws) => {
      const body = Buffer.concat([part('file[]', 'x', 'text/plain', 'x'), end]);
      const bad = Buffer.from(body.toString('latin1').replace('filename="x"', 'filename="\xff\xfe.txt"'), 'latin1');
      return rawRequest(b, raw(`${ws}/files/data`, mp(bad), bad));
    },
  },
  {
    name: '.. in the filename',
    status: 400,
    type: 'invalid_path',
    run: (b, ws) => upload(b, `${ws}/files/data`, [{ filename: '../../etc/passwd', content: 'x' }]),
  },
  {
    name: 'absolute filename',
    status: 400,
    type: 'invalid_path',
    run: (b, ws) => upload(b, `${ws}/files/data`, [{ filename: '/etc/passwd', content: 'x' }]),
  },
  {
    name: '%2e%2e in the URL',
    status: 400,
    type: 'invalid_path',
    run: (b, ws) => upload(b, `${ws}/files/%2e%2e/%2e%2e`, [{ filename: 'x.txt', content: 'x' }]),
  },
  {
    name: '%2F-encoded .. in the URL',
    status: 400,
    type: 'invalid_path',
    run: (b, ws) => upload(b, `${ws}/files/a%2F..%2F..%2Fx`, [{ filename: 'x.txt', content: 'x' }]),
  },
  {
    name: 'absolute URL directory',
    status: 400,
    type: 'invalid_path',
    run: (b, ws) => upload(b, `${ws}/files//etc`, [{ filename: 'x.txt', content: 'x' }]),
  },
  {
    name: 'empty filename into an empty directory',
    status: 400,
    type: 'invalid_path',
    run: (b, ws) => upload(b, `${ws}/files/`, [{ filename: '', content: 'x' }]),
  },
  {
    name: 'file part without a filename',
    status: 400,
    type: 'missing_filename',
    run: (b, ws) => upload(b, `${ws}/files/data`, [{ content: 'x' }]),
  },
  {
    name: '60,000 tiny parts (limit 50,000)',
    status: 413,
    type: 'too_many_parts',
    run: (b, ws) => {
      const { body, contentType } = multipart(
        Array.from({ length: 60_000 }, (_, i) => ({ filename: `t${i}`, content: 'x' })),
      );
      return send(b, 'POST', `${ws}/files/many`, { headers: { 'content-type': contentType }, body });
    },
  },
  {
    name: 'headers past SLUICE_MAX_HEADER_BYTES',
    status: 431,
    run: (b) => send(b, 'GET', '/api/version', { headers: { 'x-pad': 'p'.repeat(80 * 1024) } }),
  },
  { name: 'garbage instead of HTTP', status: 400, run: (b) => rawRequest(b, 'HELLO THERE\r\n\r\n') },
  {
    name: 'both Content-Length and Transfer-Encoding',
    status: 400,
    run: (b, ws) =>
      rawRequest(
        b,
        raw(
          `${ws}/files/data`,
          'Content-Length: 5\r\nTransfer-Encoding: chunked\r\nContent-Type: multipart/form-data; boundary=x\r\n',
          '0\r\n\r\n',
        ),
      ),
  },
  {
    name: 'two Content-Length headers',
    status: 400,
    run: (b, ws) => rawRequest(b, raw(`${ws}/files/data`, 'Content-Length: 5\r\nContent-Length: 6\r\n', 'hello')),
  },
  {
    name: 'repository: invalid JSON',
    status: 400,
    type: 'invalid_json',
    run: (b) => json(b, 'POST', '/api/repos', '{"namespace": '),
  },
  { name: 'repository: JSON null', status: 400, run: (b) => json(b, 'POST', '/api/repos', 'null') },
  {
    name: 'repository: wrong types',
    status: 400,
    type: 'invalid_name',
    run: (b) => sendJson(b, 'POST', '/api/repos', { namespace: 7, name: ['x'] }),
  },
  {
    name: 'repository: missing name',
    status: 400,
    type: 'invalid_name',
    run: (b) => sendJson(b, 'POST', '/api/repos', { namespace: 'ox' }),
  },
  {
    name: 'repository: 300-character name',
    status: 400,
    type: 'invalid_name',
    run: (b) => sendJson(b, 'POST', '/api/repos', { namespace: 'ox', name: 'n'.repeat(300) }),
  },
  {
    name: 'repository: files of the wrong shape',
    status: 400,
    run: (b) => sendJson(b, 'POST', '/api/repos', { namespace: 'ox', name: 'shape', files: [{ path: 1 }] }),
  },
  {
    name: 'workspace: missing workspace_id',
    status: 400,
    run: (b) => sendJson(b, 'PUT', '/api/repos/ox/bad/workspaces', { branch_name: 'main' }),
  },
  {
    name: 'workspace: numeric workspace_id',
    status: 400,
    run: (b) => sendJson(b, 'PUT', '/api/repos/ox/bad/workspaces', { workspace_id: 5, branch_name: 'main' }),
  },
  {
    name: 'workspace: 1,000-character id',
    status: 400,
    run: (b) =>
      sendJson(b, 'PUT', '/api/repos/ox/bad/workspaces', { workspace_id: 'w'.repeat(1000), branch_name: 'main' }),
  },
  {
    name: 'workspace: control characters in the name',
    status: 400,
    run: (b) =>
      sendJson(b, 'PUT', '/api/repos/ox/bad/workspaces', { workspace_id: 'w2', branch_name: 'main', name: 'a\nb' }),
  },
  {
    name: 'workspace: name of the wrong type',
    status: 400,
    run: (b) =>
      sendJson(b, 'PUT', '/api/repos/ox/bad/workspaces', { workspace_id: 'w3', branch_name: 'main', name: { x: 1 } }),
  },
  {
    name: 'commit: missing author',
    status: 400,
    run: (b, ws) => sendJson(b, 'POST', `${ws}/merge/main`, { message: 'm', email: 'e' }),
  },
  {
    name: 'commit: message of the wrong type',
    status: 400,
    run: (b, ws) => sendJson(b, 'POST', `${ws}/merge/main`, { message: 1, author: 'a', email: 'e' }),
  },
  {
    name: 'branch: neither from_name nor commit_id',
    status: 400,
    run: (b) => sendJson(b, 'POST', '/api/repos/ox/bad/branches', { new_name: 'x' }),
  },
  {
    name: 'branch: name with ..',
    status: 400,
    run: (b) => sendJson(b, 'POST', '/api/repos/ox/bad/branches', { new_name: 'a/../b', from_name: 'main' }),
  },
  {
    name: 'unstage: an object instead of a list',
    status: 400,
    run: (b, ws) => sendJson(b, 'DELETE', `${ws}/changes`, { path: 'x' }),
  },
  { name: 'rm: a list of numbers', status: 400, run: (b, ws) => sendJson(b, 'DELETE', `${ws}/files`, [1, 2]) },
  {
    name: 'mv: new_path of the wrong type',
    status: 400,
    run: (b, ws) => sendJson(b, 'PATCH', `${ws}/files/a.txt`, { new_path: 5 }),
  },
  {
    name: 'mv: new_path escaping the repository',
    status: 400,
    type: 'invalid_path',
    run: (b, ws) => sendJson(b, 'PATCH', `${ws}/files/a.txt`, { new_path: '../x' }),
  },
  { name: 'changes: page_size 0', status: 400, run: (b, ws) => send(b, 'GET', `${ws}/changes?page_size=0`) },
  { name: 'changes: page not a number', status: 400, run: (b, ws) => send(b, 'GET', `${ws}/changes?page=abc`) },
  {
    name: 'chunk: negative offset',
    status: 400,
    run: (b) => send(b, 'PUT', '/api/repos/ox/bad/versions/abc/chunks?offset=-1', { body: 'x' }),
  },
  {
    name: 'chunk: hash that is not hex',
    status: 400,
    run: (b) => send(b, 'PUT', '/api/repos/ox/bad/versions/..%2F..%2Fx/chunks?offset=0', { body: 'x' }),
  },
  {
    name: 'complete: files not a list',
    status: 400,
    run: (b) => sendJson(b, 'POST', '/api/repos/ox/bad/versions/abc/complete', { files: 'x' }),
  },
  {
    name: 'versions: filename that is not a hash',
    status: 400,
    run: (b) => upload(b, '/api/repos/ox/bad/versions', [{ filename: 'not-a-hash', content: 'x' }]),
  },
  { name: 'unknown route', status: 404, type: 'resource_not_found', run: (b) => send(b, 'GET', '/api/nothing') },
  { name: 'unknown method', status: 404, run: (b, ws) => send(b, 'PROPFIND', `${ws}/files/data`) },
  {
    name: 'unknown workspace',
    status: 404,
    type: 'workspace_not_found',
    run: (b) => upload(b, '/api/repos/ox/bad/workspaces/ghost/files/x', [{ filename: 'a', content: 'x' }]),
  },
  {
    name: 'unknown repository',
    status: 404,
    type: 'repo_not_found',
    run: (b) => send(b, 'GET', '/api/repos/ox/ghost/workspaces'),
  },
  { name: 'unknown job', status: 404, type: 'job_not_found', run: (b) => send(b, 'GET', '/api/jobs/nope') },
];

describe('a corpus of malformed and hostile requests', () => {
  let sluice: SluiceProcess;
  let env: TestEnv;
  let ws: string;
  beforeAll(async () => {
    env = testEnv('fs');
    sluice = await startSluice(env.env);
    ws = await repoWithWorkspace(sluice.url, 'ox', 'bad', 'ws');
  });
  afterAll(async () => sluice?.stop());

  it('has at least 40 cases', () => expect(corpus.length).toBeGreaterThanOrEqual(40));

  it.each(corpus.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const reply: Outcome = await c.run(sluice.url, ws);
    expect(reply.status).toBe(c.status);
    const body = 'json' in reply && reply.json ? reply.json() : JSON.parse((reply as RawReply).body || '{}');
    expect(body.status).toBe('error');
    expect(typeof body.status_message).toBe('string');
    if (c.type) expect(body.error?.type).toBe(c.type);
    expect(JSON.stringify(body)).not.toMatch(/\bat [\w.]+ \(|node:internal|\/work\//);
  });

  it('is still up, with nothing staged and nothing left in the spool', async () => {
    expect((await send(sluice.url, 'GET', '/api/health')).status).toBe(200);
    expect((await stagedFiles(sluice.url, ws)).size).toBe(0);
    expect(await listKeys(await env.store(), 'spool/')).toEqual([]);
  });

  it('fails a gzip bomb and a corrupt gzip part alone, staging the rest', async () => {
    const bomb = Buffer.alloc(64 * 1024 * 1024);
    const reply = await upload(sluice.url, `${ws}/files/gz`, [
      { filename: 'bomb.bin', content: gzipSync(bomb), contentType: 'application/gzip' },
      {
        filename: 'corrupt.bin',
        content: Buffer.from('1f8b0800000000000003ffff', 'hex'),
        contentType: 'application/gzip',
      },
      { filename: 'empty.bin', content: '' },
      { filename: 'fine.txt', content: 'fine', gzip: true },
    ]);
    expect(reply.status).toBe(200);
    // an empty file is a file; the bomb and the corrupt stream are not staged
    expect(reply.json().paths).toEqual(['gz/empty.bin', 'gz/fine.txt']);
    expect([...(await stagedFiles(sluice.url, ws)).keys()].sort()).toEqual(['gz/empty.bin', 'gz/fine.txt']);
  });
});
