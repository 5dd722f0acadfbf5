import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { storeKinds, testEnv } from './support/test-env.js';
import { expectStatusMessage, expectStrictEntry, StockClient } from './conformance/stock-client.js';
import type { JsonBody } from './support/json-body.js';

const segment = 10 * 1024 * 1024;

/** The entries of a tar: name and bytes (ustar names only; these archives hold hashes). */
function untar(tar: Buffer): Array<{ name: string; content: Buffer }> {
  const entries: Array<{ name: string; content: Buffer }> = [];
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((byte) => byte === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, ''), 8);
    entries.push({ name, content: tar.subarray(at + 512, at + 512 + size) });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

/**
 * `oxen download` and the client's version routes, as the 0.54 client sends them: the entry by
 * `meta/…`, then the content by `file/…` up to 10 MiB or by `chunk/…` ranges past it (checked
 * against the entry's hash, as the client does); a version's size; and `QUERY R/versions`, the
 * batch download, with a body that has no Content-Type.
 */
describe.each(storeKinds())('oxen download and the version routes (%s store)', (kind) => {
  let sluice: SluiceProcess;
  let client: StockClient;
  let other: StockClient;
  const small = Buffer.from('id,label\n1,cat\n');
  const plainLarge = Buffer.concat([randomBytes(21 * 1024 * 1024), Buffer.from('tail')]);
  // compressible, sent gzipped: kept as sent and inflated as it is read
  const gzippedLarge = Buffer.from(
    Array.from({ length: 600_000 }, (_, i) => `row ${i},${i % 7},label-${i % 13}\n`).join(''),
  );
  let secret = '';

  beforeAll(async () => {
    sluice = await startSluice(testEnv(kind).env);
    client = new StockClient(sluice.url, 'ox', 'dl');
    other = new StockClient(sluice.url, 'ox', 'other');
    for (const c of [client, other]) {
      expectStatusMessage(await c.json('POST', '/api/repos', { namespace: 'ox', name: c.repo }));
      expectStatusMessage(await c.json('PUT', `${c.R}/workspaces`, { workspace_id: 'w', branch_name: 'main' }));
    }
    expect(gzippedLarge.length).toBeGreaterThan(segment);
    expectStatusMessage(
      await client.addFiles(`${client.W('w')}/files/data`, [
        { filename: 'small.csv', content: small },
        { filename: 'big.csv', content: gzippedLarge },
      ]),
    );
    const hash = await oxenHash(plainLarge);
    for (let offset = 0; offset < plainLarge.length; offset += segment) {
      expectStatusMessage(
        await client.raw(
          'PUT',
          `${client.R}/versions/${hash}/chunks?offset=${offset}`,
          plainLarge.subarray(offset, offset + segment),
        ),
      );
    }
    const completion =
      `{"files":[{"hash":"${hash}","file_name":"weights.bin","dst_dir":"models","num_chunks":3,` +
      `"upload_results":null}],"workspace_id":"w"}`;
    expectStatusMessage(
      await client.send('POST', `${client.R}/versions/${hash}/complete`, {
        kind: 'raw',
        bytes: Buffer.from(completion),
      }),
    );
    expectStatusMessage(
      await client.json('POST', `${client.W('w')}/commit/main`, {
        message: 'data',
        author: 'Ox',
        email: 'ox@example.com',
      }),
    );
    expectStatusMessage(
      await other.addFiles(`${other.W('w')}/files/`, [{ filename: 'secret.txt', content: 'only in other\n' }]),
    );
    secret = await oxenHash(Buffer.from('only in other\n'));
  });
  afterAll(async () => {
    client?.close();
    other?.close();
    await sluice?.stop();
  });

  /** What `oxen download` does for one path: the entry, then the bytes the way its size picks. */
  async function download(path: string): Promise<{ entry: JsonBody; content: Buffer }> {
    const entry = expectStatusMessage(await client.get(`${client.R}/meta/main/${path}`)).entry;
    expectStrictEntry(entry);
    if (entry.size <= segment) return { entry, content: (await client.get(`${client.R}/file/main/${path}`)).body };
    const starts = Array.from({ length: Math.ceil(entry.size / segment) }, (_, i) => i * segment);
    const chunks = await Promise.all(
      starts.map(async (start) => {
        const reply = await client.get(
          `${client.R}/chunk/main/${path}?chunk_start=${start}&chunk_size=${Math.min(segment, entry.size - start)}`,
        );
        expect(reply.status, reply.body.toString().slice(0, 200)).toBe(200);
        return reply.body;
      }),
    );
    return { entry, content: Buffer.concat(chunks) };
  }

  it(
    'answers meta/… with the entry exactly as dir lists it, ' + 'for files and directories; 404 for a missing path',
    async () => {
      const listed = expectStatusMessage(await client.get(`${client.R}/dir/main/data`)).entries;
      for (const name of ['small.csv', 'big.csv']) {
        const entry = expectStatusMessage(await client.get(`${client.R}/meta/main/data/${name}`)).entry;
        expect(entry).toEqual(listed.find((e: { filename: string }) => e.filename === name));
      }
      const root = expectStatusMessage(await client.get(`${client.R}/dir/main/`)).entries;
      const dir = expectStatusMessage(await client.get(`${client.R}/meta/main/data`)).entry;
      expect(dir).toEqual(root.find((e: { filename: string }) => e.filename === 'data'));
      expect(dir.is_dir).toBe(true);
      expect((await client.get(`${client.R}/meta/main/data/nope.csv`)).status).toBe(404);
      expect((await client.get(`${client.R}/meta/no-such-branch/data/small.csv`)).status).toBe(404);
    },
  );

  it(
    'downloads a small file by file/… and a large one by chunk/… ranges, ' +
      'plain and kept gzipped, each matching its hash',
    async () => {
      for (const [path, content] of [
        ['data/small.csv', small],
        ['models/weights.bin', plainLarge],
        ['data/big.csv', gzippedLarge],
      ] as const) {
        const got = await download(path);
        expect(got.entry.size).toBe(content.length);
        expect(got.content.equals(content), path).toBe(true);
        expect(await oxenHash(got.content)).toBe(got.entry.hash);
      }
      // a range past the end is cut there; chunk_size defaults to the 10 MiB segment
      const tail = await client.get(
        `${client.R}/chunk/main/models/weights.bin?chunk_start=${plainLarge.length - 4}&chunk_size=${segment}`,
      );
      expect(tail.body.toString()).toBe('tail');
      const first = await client.get(`${client.R}/chunk/main/data/big.csv`);
      expect(first.body.equals(gzippedLarge.subarray(0, segment))).toBe(true);
      expect((await client.get(`${client.R}/chunk/main/data?chunk_start=0&chunk_size=10`)).status).toBe(400);
      expect((await client.get(`${client.R}/chunk/main/data/nope.csv`)).status).toBe(404);
    },
  );

  it('answers versions/{hash}/metadata for content this repository references, 404 for any other hash', async () => {
    const hash = await oxenHash(plainLarge);
    expect(expectStatusMessage(await client.get(`${client.R}/versions/${hash}/metadata`)).version).toEqual({
      hash,
      size: plainLarge.length,
    });
    const kept = await oxenHash(gzippedLarge);
    expect(expectStatusMessage(await client.get(`${client.R}/versions/${kept}/metadata`)).version).toEqual({
      hash: kept,
      size: gzippedLarge.length,
    });
    // stored on this server, but for another repository: a hash is not a read right
    expect(expectStatusMessage(await other.get(`${other.R}/versions/${secret}/metadata`)).version.size).toBe(14);
    expect((await client.get(`${client.R}/versions/${secret}/metadata`)).status).toBe(404);
    expect((await client.get(`${client.R}/versions/deadbeefdeadbeefdeadbeefdeadbeef/metadata`)).status).toBe(404);
  });

  it(
    'QUERY versions: a gzipped tar, one entry per hash named by it; ' + 'a missing or foreign hash is a 404 naming it',
    async () => {
      const hashes = [await oxenHash(small), await oxenHash(plainLarge), await oxenHash(gzippedLarge)];
      const body = gzipSync(Buffer.from(hashes.map((h) => `${h}\n`).join('')));
      const reply = await client.send('QUERY', `${client.R}/versions`, { kind: 'raw', bytes: body });
      expect(reply.status, reply.body.toString().slice(0, 300)).toBe(200);
      expect(reply.headers['content-type']).toBe('application/gzip');
      const entries = untar(gunzipSync(reply.body));
      expect(entries.map((e) => e.name)).toEqual(hashes);
      expect(entries[0]!.content.equals(small)).toBe(true);
      expect(entries[1]!.content.equals(plainLarge)).toBe(true);
      expect(entries[2]!.content.equals(gzippedLarge)).toBe(true);
      expect(
        client.sent.filter((r) => r.method === 'QUERY').every((r) => r.headers['content-type'] === undefined),
      ).toBe(true);

      for (const foreign of [secret, 'deadbeefdeadbeefdeadbeefdeadbeef']) {
        const missing = await client.send('QUERY', `${client.R}/versions`, {
          kind: 'raw',
          bytes: gzipSync(`${hashes[0]}\n${foreign}\n`),
        });
        expect(missing.status).toBe(404);
        const error = expectStatusMessage(missing, 'error');
        expect(error.status_message).toBe('resource_not_found');
        expect(error.error).toMatchObject({ type: 'version_blobs_missing', missing_hashes: [foreign] });
        expect(error.error.detail).toContain(foreign);
      }
      expect(
        (await client.send('QUERY', `${client.R}/versions`, { kind: 'raw', bytes: Buffer.from('not gzip') })).status,
      ).toBe(400);
    },
  );
});
