import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { listKeys, storeKinds, testEnv, type TestEnv } from './support/test-env.js';
import { repoWithWorkspace, send, sendJson, stagedFiles, upload } from './support/oxen-http.js';

const kind = storeKinds().includes('s3') ? 's3' : 'fs';
// Small chunks, as upstream's tests set OXEN_STREAM_SEGMENT_SIZE=131072.
const chunkSize = 128 * 1024;

describe(`large files through the chunked /versions routes (${kind} store)`, () => {
  let sluice: SluiceProcess;
  let env: TestEnv;
  let ws: string;
  const repo = '/api/repos/ox/large';

  /** Uploads `content` in chunks the way the Oxen client does, out of order, and returns the hash it named. */
  const putChunks = async (content: Buffer, hash: string) => {
    expect(
      (
        await sendJson(sluice.url, 'POST', `${repo}/versions/${hash}/create`, {
          hash,
          file_name: 'x',
          size: content.length,
          dst_dir: null,
        })
      ).status,
    ).toBe(200);
    const offsets = [];
    for (let offset = 0; offset < content.length; offset += chunkSize) offsets.push(offset);
    await Promise.all(
      offsets.reverse().map(async (offset) => {
        const reply = await send(sluice.url, 'PUT', `${repo}/versions/${hash}/chunks?offset=${offset}`, {
          body: content.subarray(offset, offset + chunkSize),
        });
        expect(reply.status).toBe(200);
      }),
    );
    return offsets.length;
  };
  const complete = (
    hash: string,
    numChunks: number,
    fileName: string,
    dstDir: string | null,
    workspaceId: string | null = 'ws',
  ) =>
    sendJson(sluice.url, 'POST', `${repo}/versions/${hash}/complete`, {
      files: [{ hash, file_name: fileName, dst_dir: dstDir, num_chunks: numChunks }],
      workspace_id: workspaceId,
    });

  beforeAll(async () => {
    env = testEnv(kind);
    sluice = await startSluice(env.env);
    ws = await repoWithWorkspace(sluice.url, 'ox', 'large', 'ws');
  });
  afterAll(async () => sluice?.stop());

  it('reassembles, verifies and stages a file larger than the chunk size; completion is idempotent', async () => {
    const content = randomBytes(5 * chunkSize + 12_345);
    const hash = await oxenHash(content);
    const chunks = await putChunks(content, hash);
    expect(chunks).toBe(6);
    const done = await complete(hash, chunks, 'model.bin', './weights');
    expect(done.status).toBe(200);
    expect(done.json()).toMatchObject({ status: 'success', status_message: 'resource_found' });
    expect((await stagedFiles(sluice.url, ws)).get('weights/model.bin')).toEqual({
      hash,
      size: content.length,
      status: 'added',
    });
    const back = await send(sluice.url, 'GET', `${ws}/files/weights/model.bin`);
    expect(back.body.equals(content)).toBe(true);
    const store = await env.store();
    expect(await listKeys(store, 'chunks/')).toEqual([]);

    const again = await complete(hash, chunks, 'model.bin', './weights');
    expect(again.status).toBe(200);
    const elsewhere = await complete(hash, chunks, 'copy.bin', 'weights/../other');
    expect(elsewhere.status).toBe(200);
    // upstream's lenient destination drops '..' segments rather than resolving them
    expect((await stagedFiles(sluice.url, ws)).get('weights/other/copy.bin')?.hash).toBe(hash);
  });

  it('stages nothing and says so when the content does not match the hash', async () => {
    const content = randomBytes(2 * chunkSize + 1);
    const claimed = await oxenHash('something else');
    const chunks = await putChunks(content, claimed);
    const reply = await complete(claimed, chunks, 'liar.bin', 'bad');
    expect(reply.status).toBe(400);
    expect(reply.json()).toMatchObject({ status: 'error', error: { type: 'hash_mismatch' } });
    expect((await stagedFiles(sluice.url, ws)).has('bad/liar.bin')).toBe(false);
    const store = await env.store();
    expect(await store.stat(`versions/${claimed.slice(0, 2)}/${claimed.slice(2)}`)).toBeNull();
    expect(await listKeys(store, 'chunks/')).toEqual([]);
    expect(await listKeys(store, 'spool/')).toEqual([]);
  });

  it('refuses a completion whose chunk count differs, and one for an unknown workspace', async () => {
    const content = randomBytes(3 * chunkSize);
    const hash = await oxenHash(content);
    const chunks = await putChunks(content, hash);
    const wrong = await complete(hash, chunks + 1, 'f.bin', 'd');
    expect(wrong.status).toBe(400);
    expect(wrong.json().status_description).toBe(
      `Number of chunks does not match expected number of chunks: ${chunks} != ${chunks + 1}`,
    );
    const noWorkspace = await complete(hash, chunks, 'f.bin', 'd', 'nobody');
    expect(noWorkspace.status).toBe(404);
    expect(noWorkspace.json().status_message).toBe('Workspace not found: nobody');
    // stored without staging when no workspace is named
    expect((await complete(hash, chunks, 'f.bin', 'd', null)).status).toBe(200);
    expect((await stagedFiles(sluice.url, ws)).has('d/f.bin')).toBe(false);
  });

  it('stores hash-named blobs from POST /versions and names the parts that failed', async () => {
    const good = randomBytes(10_000);
    const goodHash = await oxenHash(good);
    const reply = await upload(sluice.url, `${repo}/versions`, [
      { filename: goodHash, content: good, gzip: true },
      { filename: await oxenHash('not this'), content: 'but this' },
    ]);
    expect(reply.status).toBe(200);
    expect(reply.json().err_files).toEqual([
      { hash: await oxenHash('not this'), path: null, error: expect.stringMatching(/hashes to/) },
    ]);
    // the stored blob can now be staged by a completion with no chunks
    expect((await complete(goodHash, 0, 'blob.bin', 'blobs')).status).toBe(200);
    expect((await stagedFiles(sluice.url, ws)).get('blobs/blob.bin')?.hash).toBe(goodHash);
    expect((await upload(sluice.url, `${repo}/versions`, [{ filename: '../x', content: 'x' }])).status).toBe(400);
  });
});
