import { afterAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { repoWithWorkspace, send, stagedFiles, upload, waitForJob } from './support/oxen-http.js';
import { waitFor } from './support/wait-for.js';

/** ox/again with workspace ws1 made again: the name is free once the deleted one's keys are gone. */
async function createdAgain(base: string): Promise<string | null> {
  for (let i = 0; i < 50; i++) {
    const made = await repoWithWorkspace(base, 'ox', 'again', 'ws1').catch(() => null);
    if (made !== null) return made;
    await new Promise((r) => setTimeout(r, 200));
  }
  return null;
}

/**
 * A repository deleted while its uploads wait in the queue, then created again under its name
 * with a workspace of the same id (a reviewer's finding): the old jobs must stage nothing in the
 * new repository, which is another repository that never received them.
 */
describe('uploads queued for a repository that is deleted and created again', () => {
  let api: SluiceProcess | undefined;
  let worker: SluiceProcess | undefined;
  afterAll(async () => {
    worker?.child.kill('SIGCONT');
    await worker?.stop();
    await api?.stop();
  });

  it('stage nothing in the new repository of the same name', { timeout: 180_000 }, async () => {
    const { env } = testEnv('fs');
    api = await startSluice({ ...env, SLUICE_ROLE: 'api' });
    worker = await startSluice({ ...env, SLUICE_ROLE: 'worker' });
    const ws = await repoWithWorkspace(api.url, 'ox', 'again', 'ws1');
    // the worker frozen, so the jobs wait in the queue while the repository goes and comes back
    worker.child.kill('SIGSTOP');
    const files = Array.from({ length: 20 }, (_, i) => ({ filename: `f${i}.txt`, content: `old ${i}` }));
    const queued = await upload(api.url, `${ws}/files/up`, files, { prefer: 'respond-async' });
    expect(queued.status).toBe(202);

    expect((await send(api.url, 'DELETE', '/api/repos/ox/again')).status).toBe(200);
    expect(await createdAgain(api.url)).toBe(ws);

    worker.child.kill('SIGCONT');
    const job = await waitForJob(api.url, queued.headers.location as string);
    expect(job.state).toBe('completed');
    expect(job.paths).toEqual([]);
    expect(job.files[0].error.code).toBe('repo_not_found');
    expect([...(await stagedFiles(api.url, ws)).keys()]).toEqual([]);

    // a commit queued the same way commits nothing of the new repository's workspace of that id
    const staged = await upload(api.url, `${ws}/files/new`, [{ filename: 'mine.txt', content: 'the new repository' }]);
    expect(staged.status).toBe(200);
    worker.child.kill('SIGSTOP');
    const commit = { message: 'old', author: 'a', email: 'a@x' };
    const queuedCommit = await send(api.url, 'POST', `${ws}/merge/main`, {
      headers: { 'content-type': 'application/json', prefer: 'respond-async' },
      body: JSON.stringify(commit),
    });
    expect(queuedCommit.status).toBe(202);
    expect((await send(api.url, 'DELETE', '/api/repos/ox/again')).status).toBe(200);
    expect(await createdAgain(api.url)).toBe(ws);
    const kept = await upload(api.url, `${ws}/files/new`, [{ filename: 'kept.txt', content: 'kept' }], {
      prefer: 'respond-async',
    });
    expect(kept.status).toBe(202);
    worker.child.kill('SIGCONT');
    expect((await waitForJob(api.url, kept.headers.location as string)).state).toBe('completed');
    const failed = await waitForJob(api.url, queuedCommit.headers.location as string);
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'repo_not_found' } });
    expect([...(await stagedFiles(api.url, ws)).keys()]).toEqual(['new/kept.txt']);
  });
});

/**
 * A synchronous upload whose workspace is deleted while its job waits for a worker: the job stages
 * nothing (the workspace is gone), and the answer says why, as the chunked and resumable routes do,
 * rather than 200 with no paths (which a client reads as "send the missing files again").
 */
describe('a synchronous upload whose workspace is deleted while its job waits', () => {
  const running: SluiceProcess[] = [];
  afterAll(async () => {
    for (const p of running) await p.stop();
  });

  it('answers 404 workspace_not_found, not 200 with no paths', { timeout: 180_000 }, async () => {
    const { env } = testEnv('fs');
    const api = await startSluice({ ...env, SLUICE_ROLE: 'api' });
    running.push(api);
    const ws = await repoWithWorkspace(api.url, 'ox', 'gone', 'w');
    const answer = upload(api.url, `${ws}/files/d`, [{ filename: 'a.txt', content: 'for a deleted workspace' }]);
    // no worker yet: the job waits in the queue while the request waits for it
    const waiting = async () => (await send(api.url, 'GET', '/api/dashboard')).json().queues.ingest.waiting;
    await waitFor('the upload job in the queue', async () => (await waiting()) === 1);
    expect((await send(api.url, 'DELETE', ws)).status).toBe(200);
    running.push(await startSluice({ ...env, SLUICE_ROLE: 'worker' }));
    const reply = await answer;
    expect(reply.status).toBe(404);
    expect(reply.json()).toMatchObject({ status: 'error', error: { type: 'workspace_not_found' } });
  });
});
