import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { listKeys, storeKinds, testEnv, type StoreKind, type TestEnv } from './support/test-env.js';
import { repoWithWorkspace, send, sendJson, stagedFiles } from './support/oxen-http.js';
import { waitFor } from './support/wait-for.js';
import type { JsonBody } from './support/json-body.js';

/** What a Node http client saw: the answer, or the error that came instead of it. */
interface Seen {
  status: number | null;
  headers: Record<string, string | string[] | undefined>;
  json: JsonBody | null;
  error: string | null;
}

interface PutOptions {
  /** Send Transfer-Encoding: chunked instead of a Content-Length. */
  chunked?: boolean;
  /** `false`: a connection of its own that closes after the answer (Connection: close). */
  agent?: Agent | false;
  /** Write this many bytes, then cut the connection (no answer is waited for). */
  cutAfter?: number;
  /** Content-Length to announce, when not the body's. */
  announce?: number;
}

/**
 * A PUT through Node's own http client, which writes its whole body before it reads: the client
 * issue 26 found losing early answers. The body goes out 1 MiB at a time, each write waiting for
 * the last, as a client reading a file does.
 */
function nodePut(base: string, path: string, body: Buffer, options: PutOptions = {}): Promise<Seen> {
  const url = new URL(base);
  const headers: Record<string, string> = options.chunked
    ? { 'transfer-encoding': 'chunked' }
    : { 'content-length': String(options.announce ?? body.length) };
  return new Promise((resolve) => {
    const seen: Seen = { status: null, headers: {}, json: null, error: null };
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: 'PUT', path, headers, agent: options.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          Object.assign(seen, {
            status: res.statusCode ?? 0,
            headers: res.headers,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          });
          resolve(seen);
        });
        res.on('error', (error) => resolve({ ...seen, error: (error as NodeJS.ErrnoException).code ?? error.message }));
      },
    );
    req.on('error', (error) => resolve({ ...seen, error: (error as NodeJS.ErrnoException).code ?? error.message }));
    const limit = options.cutAfter ?? body.length;
    let at = 0;
    const next = () => {
      if (req.destroyed) return;
      if (at >= limit) {
        if (options.cutAfter === undefined) req.end();
        else
          setTimeout(() => {
            req.destroy();
            resolve(seen);
          }, 200);
        return;
      }
      const piece = body.subarray(at, Math.min(limit, at + 1024 * 1024));
      at += piece.length;
      req.write(piece, () => setImmediate(next));
    };
    next();
  });
}

const partBytes = 16 * 1024 * 1024;

describe.each(storeKinds())(
  'request bodies that fail, end early or break their bounds (%s store)',
  (kind: StoreKind) => {
    let sluice: SluiceProcess;
    let env: TestEnv;
    const R = '/api/repos/ox/streams';
    const maxRequestBytes = 1024 * 1024;
    const begin = async (hash: string, size: number) => {
      const reply = await sendJson(sluice.url, 'POST', `${R}/versions/uploads`, {
        hash,
        size,
        destination: { path: `${hash}.bin`, workspace_id: 'w' },
      });
      expect(reply.status).toBe(200);
      return reply.json().file as { upload_id: string; status: string };
    };
    const partPath = (id: string, n: number) => `${R}/versions/uploads/${id}/parts/${n}`;

    beforeAll(async () => {
      env = testEnv(kind, { SLUICE_MAX_REQUEST_BYTES: String(maxRequestBytes) });
      sluice = await startSluice(env.env, [], 90_000);
      await repoWithWorkspace(sluice.url, 'ox', 'streams', 'w');
    });
    afterAll(async () => sluice?.stop());

    it(
      'answers 400 to a chunked part longer than the part, ' +
        'keeps serving, and lets the part be sent again (item 1)',
      async () => {
        const content = randomBytes(1000);
        const hash = await oxenHash(content);
        const { upload_id: id } = await begin(hash, content.length);
        const tooLong = await nodePut(sluice.url, partPath(id, 1), randomBytes(64 * 1024), { chunked: true });
        expect(tooLong.error).toBeNull();
        expect(tooLong.status).toBe(400);
        expect(tooLong.json).toMatchObject({
          status: 'error',
          error: { type: 'bad_request' },
          status_description: 'this part must be exactly 1000 bytes',
        });
        // a chunked part one byte short is refused the same way
        expect((await nodePut(sluice.url, partPath(id, 1), content.subarray(1), { chunked: true })).status).toBe(400);
        expect((await send(sluice.url, 'GET', '/api/health')).status).toBe(200);
        // the refused part's claim was given up: the right bytes are taken at once
        const right = await nodePut(sluice.url, partPath(id, 1), content, { chunked: true });
        expect(right.status).toBe(200);
        expect(right.json).toMatchObject({ completed: true, hash });
        expect((await stagedFiles(sluice.url, `${R}/workspaces/w`)).get(`${hash}.bin`)?.hash).toBe(hash);
      },
    );

    it('gives up the claim of a part whose connection dropped mid-body: its resend is stored (item 2)', async () => {
      const content = randomBytes(partBytes + 10);
      const hash = await oxenHash(content);
      const { upload_id: id } = await begin(hash, content.length);
      await nodePut(sluice.url, partPath(id, 1), content.subarray(0, partBytes), {
        cutAfter: 4 * 1024 * 1024,
        agent: false,
      });
      // the server may not have seen the cut yet: a client honours Retry-After, and soon gets through
      let resent: Seen | undefined;
      await waitFor(
        'the cut part to be taken again',
        async () => {
          resent = await nodePut(sluice.url, partPath(id, 1), content.subarray(0, partBytes));
          return resent.status !== 429;
        },
        15_000,
        200,
      );
      expect(resent?.status).toBe(200);
      expect((await nodePut(sluice.url, partPath(id, 2), content.subarray(partBytes))).json).toMatchObject({
        completed: true,
        hash,
      });
      expect(await listKeys(await env.store(), 'spool/')).toEqual([]);
      expect((await send(sluice.url, 'GET', '/api/health')).status).toBe(200);
    });

    it('refuses a chunk past SLUICE_MAX_REQUEST_BYTES with 413 and stores none of it (item 8)', async () => {
      const hash = await oxenHash('whatever');
      const chunk = (body: Buffer, options: PutOptions = {}) =>
        nodePut(sluice.url, `${R}/versions/${hash}/chunks?offset=0`, body, options);
      const announced = await chunk(randomBytes(maxRequestBytes + 1));
      expect(announced.status).toBe(413);
      expect(announced.json).toMatchObject({ error: { type: 'request_too_large' } });
      const streamed = await chunk(randomBytes(maxRequestBytes + 1), { chunked: true });
      expect(streamed.status).toBe(413);
      expect(await listKeys(await env.store(), 'chunks/')).toEqual([]);
      // at the limit it is taken
      expect((await chunk(randomBytes(maxRequestBytes), { chunked: true })).status).toBe(200);
      expect(await listKeys(await env.store(), 'chunks/')).toHaveLength(1);
    });

    it.runIf(kind === 'fs')(
      'reads the rest of a bounded part before answering: ' +
        'stored already, outside the window, of the wrong length (item 3)',
      async () => {
        const size = 10 * partBytes;
        const reply = await sendJson(sluice.url, 'POST', `${R}/versions/uploads`, { hash: 'abc123', size });
        expect(reply.status).toBe(200);
        const id = reply.json().file.upload_id as string;
        const window = reply.json().file.part_window as number;
        const part = randomBytes(partBytes);
        const path = (n: number) => `${R}/versions/uploads/${id}/parts/${n}`;
        expect((await nodePut(sluice.url, path(2), part)).status).toBe(200);
        // each on a connection that closes after its answer: an answer sent before the body was read
        // is followed by the close, under a client still writing
        for (let round = 0; round < 3; round += 1) {
          const again = await nodePut(sluice.url, path(2), part, { agent: false });
          expect(again).toMatchObject({ error: null, status: 200, json: { completed: false } });
          const ahead = await nodePut(sluice.url, path(window + 2), part, { agent: false });
          expect(ahead).toMatchObject({ error: null, status: 429 });
          const wrongLength = await nodePut(sluice.url, path(3), randomBytes(partBytes + 1), { agent: false });
          expect(wrongLength).toMatchObject({ error: null, status: 400 });
        }
        // on a kept connection the answers leave it open for the next request
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        try {
          const ahead = await nodePut(sluice.url, path(window + 2), part, { agent });
          expect(ahead).toMatchObject({ error: null, status: 429 });
          expect(ahead.headers.connection).not.toBe('close');
          expect((await nodePut(sluice.url, path(2), part, { agent })).status).toBe(200);
        } finally {
          agent.destroy();
        }
      },
    );

    it.runIf(kind === 'fs')(
      'processes a corrected chunked upload anew after a completion refused for a hash mismatch (item 5)',
      async () => {
        const content = randomBytes(200_000);
        const hash = await oxenHash(content);
        const putChunk = (body: Buffer) => send(sluice.url, 'PUT', `${R}/versions/${hash}/chunks?offset=0`, { body });
        const complete = () =>
          sendJson(sluice.url, 'POST', `${R}/versions/${hash}/complete`, {
            files: [{ hash, file_name: 'fixed.bin', dst_dir: 'retry', num_chunks: 1 }],
            workspace_id: 'w',
          });
        expect((await putChunk(randomBytes(content.length))).status).toBe(200);
        const refused = await complete();
        expect(refused.status).toBe(400);
        expect(refused.json().error.type).toBe('hash_mismatch');
        expect((await putChunk(content)).status).toBe(200);
        const corrected = await complete();
        expect(corrected.status).toBe(200);
        expect((await stagedFiles(sluice.url, `${R}/workspaces/w`)).get('retry/fixed.bin')?.hash).toBe(hash);
      },
    );
  },
);
