import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { listKeys, testEnv, type TestEnv } from './support/test-env.js';
import { repoWithWorkspace, send, stagedFiles, upload, waitForJob } from './support/oxen-http.js';
import { normalizationTable } from './support/normalization-table.js';
import { oxenHash } from '@sluice/core';

// docs/architecture.md#paths sent over HTTP with the directory exactly as it stands in the URL, plus
// directories that only a URL can carry (percent-encoded dots and slashes).
const table: ReadonlyArray<readonly [string, string, string | RegExp]> = [
  ...normalizationTable,
  ['%2e%2e', 'x.txt', /parent directory/],
  ['data%2F..%2F..', 'x.txt', /parent directory/],
];

describe('path normalization and limits over HTTP', () => {
  let sluice: SluiceProcess;
  let env: TestEnv;
  let ws: string;

  beforeAll(async () => {
    env = testEnv('fs', {
      SLUICE_MAX_INFLATE_BYTES: String(10 * 1024 * 1024),
      SLUICE_MAX_INFLATE_RATIO: '50',
      SLUICE_MAX_PARTS: '20',
      SLUICE_MAX_REQUEST_BYTES: String(16 * 1024 * 1024),
    });
    sluice = await startSluice(env.env);
    ws = await repoWithWorkspace(sluice.url, 'ox', 'paths', 'ws');
  });
  afterAll(async () => sluice?.stop());

  it.each(table)('directory %j + filename %j', async (directory, filename, expected) => {
    const reply = await upload(sluice.url, `${ws}/files/${directory}`, [
      { filename, content: `${directory}|${filename}`, gzip: true },
    ]);
    if (expected instanceof RegExp) {
      expect(reply.status).toBe(400);
      expect(reply.json()).toMatchObject({ status: 'error', error: { type: 'invalid_path' } });
      expect(reply.json().error.detail).toMatch(expected);
    } else {
      expect(reply.status).toBe(200);
      expect(reply.json().paths).toEqual([expected]);
    }
  });

  it('left no spool objects behind from the rejected requests', async () => {
    expect(await listKeys(await env.store(), 'spool/')).toEqual([]);
  });

  it(
    'fails a part that inflates past the byte limit, ' +
      'keeping the rest; any ratio is fine up to 10 MiB, as upstream',
    async () => {
      const incompressible = randomBytes(11 * 1024 * 1024); // streamed: its own spool object
      const zeros = Buffer.alloc(8 * 1024 * 1024); // ratio ~1000, yet upstream stages it
      const accepted = await upload(
        sluice.url,
        `${ws}/files/limits`,
        [
          { filename: 'big.bin', content: incompressible, gzip: true },
          { filename: 'zeros.bin', content: zeros, gzip: true },
          { filename: 'small-zeros.bin', content: Buffer.alloc(512 * 1024), gzip: true },
          { filename: 'ok.txt', content: 'ok', gzip: true },
        ],
        { prefer: 'respond-async' },
      );
      expect(accepted.status).toBe(202);
      const job = await waitForJob(sluice.url, accepted.headers.location as string);
      expect(job.paths).toEqual(['limits/zeros.bin', 'limits/small-zeros.bin', 'limits/ok.txt']);
      expect(job.files[0].error.code).toBe('inflate_limit');
      expect(job.files[1].hash).toBe(await oxenHash(zeros));
      const staged = await stagedFiles(sluice.url, ws);
      expect(staged.has('limits/big.bin')).toBe(false);
      expect(staged.get('limits/zeros.bin')?.hash).toBe(await oxenHash(zeros));
      expect(staged.get('limits/small-zeros.bin')?.size).toBe(512 * 1024);
    },
  );

  it('answers 413 naming the limit for too many parts and too many bytes, spooling nothing', async () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ filename: `f${i}.txt`, content: 'x' }));
    const tooMany = await upload(sluice.url, `${ws}/files/many`, many);
    expect(tooMany.status).toBe(413);
    expect(tooMany.json().error.type).toBe('too_many_parts');
    const tooBig = await upload(sluice.url, `${ws}/files/big`, [
      { filename: 'a.bin', content: randomBytes(17 * 1024 * 1024) },
    ]);
    expect(tooBig.status).toBe(413);
    expect(tooBig.json().error.detail).toMatch(/SLUICE_MAX_REQUEST_BYTES/);
    expect(await listKeys(await env.store(), 'spool/')).toEqual([]);
    expect(
      [...(await stagedFiles(sluice.url, ws)).keys()].some((p) => p.startsWith('many/') || p.startsWith('big/')),
    ).toBe(false);
  });

  it('answers 400 for a file part without a filename', async () => {
    const reply = await upload(sluice.url, `${ws}/files/data`, [{ content: 'no name' }]);
    expect(reply.status).toBe(400);
    expect(reply.json().error.type).toBe('missing_filename');
  });

  it('ignores parts with other field names', async () => {
    const reply = await upload(sluice.url, `${ws}/files/other`, [
      { name: 'note', filename: 'n.txt', content: 'ignored' },
      { name: 'file', filename: 'kept.txt', content: 'kept' },
    ]);
    expect(reply.json().paths).toEqual(['other/kept.txt']);
  });

  it('answers unknown routes with 404 in the envelope', async () => {
    const reply = await send(sluice.url, 'GET', '/api/nothing/here');
    expect(reply.status).toBe(404);
    expect(reply.json()).toMatchObject({ status: 'error', status_message: 'resource_not_found' });
  });
});

describe('requests Node rejects before routing', () => {
  let sluice: SluiceProcess;
  beforeAll(async () => {
    sluice = await startSluice(testEnv('fs', { SLUICE_MAX_HEADER_BYTES: String(16 * 1024) }).env);
  });
  afterAll(async () => sluice?.stop());

  it('answers oversized headers with 431 in the Oxen envelope, and stays up', async () => {
    const reply = await send(sluice.url, 'GET', '/api/version', { headers: { 'x-big': 'x'.repeat(20 * 1024) } });
    expect(reply.status).toBe(431);
    expect(reply.json()).toMatchObject({
      status: 'error',
      status_description: expect.stringMatching(/SLUICE_MAX_HEADER_BYTES/),
    });
    expect((await send(sluice.url, 'GET', '/api/health')).status).toBe(200);
  });
});
