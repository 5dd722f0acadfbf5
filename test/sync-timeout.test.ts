import { afterAll, describe, expect, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { connectRedis, UploadStore } from '@sluice/repository';
import { uploadPartKey } from '@sluice/storage';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv, testRedisTarget } from './support/test-env.js';
import { repoWithWorkspace, send, sendJson, stagedFiles, upload, waitForJob } from './support/oxen-http.js';

describe('a synchronous upload whose job outlives SLUICE_SYNC_TIMEOUT_SECONDS', () => {
  const running: SluiceProcess[] = [];
  const redis = connectRedis(testRedisTarget());
  afterAll(async () => {
    for (const p of running) await p.stop();
    redis.disconnect();
  });

  /** A one-part resumable upload to `d/big.bin` of workspace `w`, begun. */
  async function beginOnePart(url: string, name: string, content: Buffer) {
    const ws = await repoWithWorkspace(url, 'ox', name, 'w');
    const R = `/api/repos/ox/${name}`;
    const hash = await oxenHash(content);
    const begin = await sendJson(url, 'POST', `${R}/versions/uploads`, {
      hash,
      size: content.length,
      destination: { path: 'd/big.bin', workspace_id: 'w' },
    });
    const id = begin.json().file.upload_id as string;
    const sendPart = () => send(url, 'PUT', `${R}/versions/uploads/${id}/parts/1`, { body: content });
    return { ws, hash, id, sendPart };
  }

  it('answers 504 job_timeout with the job to poll, and the job completes once a worker takes it', async () => {
    const { env } = testEnv('fs', { SLUICE_SYNC_TIMEOUT_SECONDS: '1' });
    const api = await startSluice({ ...env, SLUICE_ROLE: 'api' });
    running.push(api);
    const ws = await repoWithWorkspace(api.url, 'ox', 'slow', 'w');
    const reply = await upload(api.url, `${ws}/files/d`, [
      { filename: 'a.txt', content: 'waits for a worker', gzip: true },
    ]);
    expect(reply.status).toBe(504);
    // the body names the job to poll (docs/api.md); a Location header belongs to the 202
    expect(reply.headers.location).toBeUndefined();
    expect(reply.json()).toMatchObject({
      status: 'error',
      error: { type: 'job_timeout' },
      location: expect.stringMatching(/^\/api\/jobs\//),
    });
    running.push(await startSluice({ ...env, SLUICE_ROLE: 'worker' }));
    const job = await waitForJob(api.url, reply.json().location as string);
    expect(job).toMatchObject({ state: 'completed', paths: ['d/a.txt'] });
  });

  it('answers a resumable part resent after a 504 as the last one: 504 while the job runs, then 200', async () => {
    const { env } = testEnv('fs', { SLUICE_SYNC_TIMEOUT_SECONDS: '1' });
    const api = await startSluice({ ...env, SLUICE_ROLE: 'api' });
    running.push(api);
    const content = Buffer.from('the part that completes the upload');
    const { ws, hash, id, sendPart } = await beginOnePart(api.url, 'resend', content);
    const first = await sendPart();
    expect(first.status).toBe(504);
    expect(first.json()).toMatchObject({ error: { type: 'job_timeout' } });
    // the client resends after a 5xx: the upload is completing, not gone
    const early = await sendPart();
    expect(early.status).toBe(504);
    expect(early.json()).toMatchObject({ error: { type: 'job_timeout' }, location: first.json().location });
    running.push(await startSluice({ ...env, SLUICE_ROLE: 'worker' }));
    expect(await waitForJob(api.url, first.json().location as string)).toMatchObject({ state: 'completed' });
    const uploads = new UploadStore(redis, env.SLUICE_KEY_PREFIX!);
    expect(await uploads.exists(id)).toBe(true); // nothing ended it yet
    const resent = await sendPart();
    expect(resent.status).toBe(200);
    expect(resent.json()).toMatchObject({ upload_id: id, part_number: 1, completed: true, hash, path: 'd/big.bin' });
    expect((await stagedFiles(api.url, ws)).get('d/big.bin')).toMatchObject({ hash, size: content.length });
    expect(await uploads.exists(id)).toBe(false);
    expect((await sendPart()).status).toBe(404); // ended: begin again
  });

  it('enqueues the job for a part resent when the API died between storing the last part and enqueueing', async () => {
    const testing = testEnv('fs');
    const sluice = await startSluice(testing.env);
    running.push(sluice);
    const content = Buffer.from('stored, then the API died');
    const { ws, hash, id, sendPart } = await beginOnePart(sluice.url, 'orphan', content);
    // what the dead request did: the part stored and recorded, the upload turned `completing`, no job
    await (await testing.store()).put(uploadPartKey(id, 1), content);
    const uploads = new UploadStore(redis, testing.env.SLUICE_KEY_PREFIX!);
    expect(await uploads.partStored(id, 1)).toBe(true);
    const resent = await sendPart();
    expect(resent.status).toBe(200);
    expect(resent.json()).toMatchObject({ completed: true, hash, path: 'd/big.bin' });
    expect((await stagedFiles(sluice.url, ws)).get('d/big.bin')).toMatchObject({ hash, size: content.length });
    expect(await uploads.exists(id)).toBe(false);
  });
});
