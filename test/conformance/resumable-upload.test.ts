import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { startSluice, type SluiceProcess } from '../support/sluice-process.js';
import { listKeys, testEnv, type TestEnv } from '../support/test-env.js';
import { expectStatusMessage, StockClient } from './stock-client.js';

/**
 * The resumable upload of newer clients (docs/api.md#uploads): begin, parts in any order within the
 * window, a part resent harmlessly, the last part answered once the file is verified and staged.
 */
describe('resumable uploads (POST R/versions/uploads, PUT …/parts/{n})', () => {
  let sluice: SluiceProcess;
  let env: TestEnv;
  let client: StockClient;
  const partBytes = 16 * 1024 * 1024;
  beforeAll(async () => {
    env = testEnv('fs');
    sluice = await startSluice(env.env);
    client = new StockClient(sluice.url, 'ox', 'resumable');
    await client.json('POST', '/api/repos', { namespace: 'ox', name: 'resumable' });
    await client.json('PUT', `${client.R}/workspaces`, { workspace_id: 'w', branch_name: 'main' });
  });
  afterAll(async () => {
    client?.close();
    await sluice?.stop();
  });

  const part = (uploadId: string, n: number, bytes: Buffer) =>
    client.raw('PUT', `${client.R}/versions/uploads/${uploadId}/parts/${n}`, bytes);

  it('stages a 40 MiB file sent in three parts out of order, one of them twice, and then knows it', async () => {
    const content = randomBytes(40 * 1024 * 1024);
    const hash = await oxenHash(content);
    const begin = expectStatusMessage(
      await client.text('POST', `${client.R}/versions/uploads`, {
        hash,
        size: content.length,
        destination: { path: 'big/file.bin', workspace_id: 'w' },
      }),
    );
    expect(begin.file).toMatchObject({
      status: 'awaiting_parts',
      part_size: partBytes,
      num_parts: 3,
      part_window: expect.any(Number),
    });
    const id = begin.file.upload_id as string;
    const slice = (n: number) => content.subarray((n - 1) * partBytes, n * partBytes);
    // the same part twice at once: one stores it, the other is told to retry
    const [a, b] = await Promise.all([part(id, 2, slice(2)), part(id, 2, slice(2))]);
    const statuses = [a.status, b.status].sort();
    expect(statuses[0]).toBe(200);
    expect([200, 429]).toContain(statuses[1]);
    const retried = [a, b].find((r) => r.status === 429);
    if (retried) expect(Number(retried.headers['retry-after'])).toBeGreaterThan(0);
    expect(expectStatusMessage(await part(id, 3, slice(3))).completed).toBe(false);
    // resent after it was stored: ignored
    expect(expectStatusMessage(await part(id, 2, slice(2))).completed).toBe(false);
    const last = expectStatusMessage(await part(id, 1, slice(1)));
    expect(last).toMatchObject({ completed: true, hash, path: 'big/file.bin' });
    const staged = expectStatusMessage(await client.get(`${client.W('w')}/changes/big?page=1&page_size=10`)).staged
      .added_files.entries;
    expect(staged[0]).toMatchObject({ filename: 'big/file.bin', hash, size: content.length });
    expect((await part(id, 1, slice(1))).status).toBe(404); // completed: every part is 404
    expect(await listKeys(await env.store(), 'spool/')).toEqual([]);
    // a client that lost the last answer begins again and is told the file is there
    const again = expectStatusMessage(
      await client.text('POST', `${client.R}/versions/uploads`, {
        hash,
        size: content.length,
        destination: { path: 'copy/file.bin', workspace_id: 'w' },
      }),
    );
    expect(again.file).toMatchObject({ status: 'already_stored' });
    const copies = expectStatusMessage(await client.get(`${client.W('w')}/changes/copy?page=1&page_size=10`)).staged
      .added_files.entries;
    expect(copies[0]).toMatchObject({ filename: 'copy/file.bin', hash });
  });

  it(
    'refuses parts outside the window, of the wrong length or number, ' + 'and fails a file whose bytes miss its hash',
    async () => {
      const size = 10 * partBytes + 5;
      const begin = expectStatusMessage(
        await client.text('POST', `${client.R}/versions/uploads`, { hash: 'abc123', size }),
      );
      const id = begin.file.upload_id as string;
      const window = begin.file.part_window as number;
      const ahead = await part(id, window + 1, Buffer.alloc(partBytes));
      expect(ahead.status).toBe(429);
      expect(ahead.headers['retry-after']).toBeDefined();
      // the refused part's bytes are read and dropped: the client gets its answer, the connection stays
      expect(ahead.headers.connection).not.toBe('close');
      expect((await part(id, 1, Buffer.alloc(10))).status).toBe(400);
      expect((await part(id, 12, Buffer.alloc(5))).status).toBe(400);
      expect((await part(id, 0, Buffer.alloc(5))).status).toBe(400);

      const small = Buffer.from('these bytes do not hash to the announced hash');
      const wrong = expectStatusMessage(
        await client.text('POST', `${client.R}/versions/uploads`, {
          hash: 'abc123',
          size: small.length,
          destination: { path: 'wrong.txt', workspace_id: 'w' },
        }),
      );
      const failed = await part(wrong.file.upload_id, 1, small);
      expect(failed.status).toBe(400);
      expect(failed.json().error.type).toBe('hash_mismatch');
      expect((await part(wrong.file.upload_id, 1, small)).status).toBe(404);
      const staged = expectStatusMessage(
        await client.get(`${client.W('w')}/changes/?page=1&page_size=100`),
      ).staged.added_files.entries.map((e: { filename: string }) => e.filename);
      expect(staged).not.toContain('wrong.txt');
      expect((await part('00000000-0000-4000-8000-000000000000', 1, small)).status).toBe(404);
      expect((await part('nope', 1, small)).status).toBe(404);
    },
  );
});
