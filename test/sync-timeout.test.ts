import { afterAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { repoWithWorkspace, upload, waitForJob } from './support/oxen-http.js';

describe('a synchronous upload whose job outlives SLUICE_SYNC_TIMEOUT_SECONDS', () => {
  const running: SluiceProcess[] = [];
  afterAll(async () => {
    for (const p of running) await p.stop();
  });

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
});
