import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectRedis } from '@sluice/repository';
import { commitQueueName, queuePrefix } from '@sluice/queue';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { storeKinds, testEnv, testRedisTarget } from './support/test-env.js';
import { send, sendJson, stagedFiles, upload, waitForJob } from './support/oxen-http.js';

const kind = storeKinds().includes('s3') ? 's3' : 'fs';
const author = { author: 'Ada', email: 'ada@example.com' };

describe(`commits, branches and stage edits (${kind} store)`, () => {
  let sluice: SluiceProcess;
  const env = testEnv(kind).env;
  const redis = connectRedis(testRedisTarget());
  let n = 0;
  const repoBase = (name: string) => `/api/repos/ox/${name}`;
  const newRepo = async () => {
    const name = `commits${n++}`;
    await sendJson(sluice.url, 'POST', '/api/repos', { namespace: 'ox', name });
    return name;
  };
  const workspace = async (name: string, id: string, extra: Record<string, unknown> = {}) => {
    const reply = await sendJson(sluice.url, 'PUT', `${repoBase(name)}/workspaces`, {
      workspace_id: id,
      branch_name: 'main',
      ...extra,
    });
    expect(reply.status).toBe(200);
    return `${repoBase(name)}/workspaces/${id}`;
  };
  const commit = (ws: string, message: string, branch = 'main', route = 'merge') =>
    sendJson(sluice.url, 'POST', `${ws}/${route}/${branch}`, { message, ...author });

  beforeAll(async () => {
    sluice = await startSluice(env);
  });
  afterAll(async () => {
    redis.disconnect();
    await sluice?.stop();
  });

  it('adds, commits and reads the files back by branch and by commit id', async () => {
    const name = await newRepo();
    const ws = await workspace(name, 'w1');
    await upload(sluice.url, `${ws}/files/data`, [
      { filename: 'a.txt', content: 'alpha', gzip: true },
      { filename: 'sub/b.txt', content: 'beta', gzip: true },
    ]);
    // the Oxen client's sequence around a commit
    expect((await send(sluice.url, 'POST', `${repoBase(name)}/action/started/push_workspace`)).json()).toMatchObject({
      status: 'success',
      state: 'started',
    });
    const reply = await commit(ws, 'first data', 'main', 'commit');
    expect(reply.status).toBe(200);
    const created = reply.json().commit;
    expect(created).toMatchObject({ message: 'first data', author: 'Ada', email: 'ada@example.com' });
    expect(created.parent_ids).toHaveLength(1);
    // one home for commits: the synchronous commit was the worker's commit job
    await vi.waitFor(() =>
      expect(sluice.output()).toMatch(new RegExp(`"commit":"${created.id}".*"msg":"commit job completed"`)),
    );
    const completed = await send(sluice.url, 'POST', `${repoBase(name)}/commits/${created.id}/complete`, {
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ branch: { name: 'main', commit_id: created.id } }),
    });
    expect(completed.json()).toMatchObject({ status: 'success', commit: { id: created.id } });

    const branch = (await send(sluice.url, 'GET', `${repoBase(name)}/branches/main`)).json().branch;
    expect(branch).toEqual({ name: 'main', commit_id: created.id });
    expect((await send(sluice.url, 'GET', `${repoBase(name)}/file/main/data/a.txt`)).body.toString()).toBe('alpha');
    expect((await send(sluice.url, 'GET', `${repoBase(name)}/file/${created.id}/data/sub/b.txt`)).body.toString()).toBe(
      'beta',
    );
    const dir = (await send(sluice.url, 'GET', `${repoBase(name)}/dir/main/data`)).json();
    expect(dir.entries.map((e: { filename: string; is_dir: boolean }) => [e.filename, e.is_dir])).toEqual([
      ['a.txt', false],
      ['sub', true],
    ]);
    expect((await send(sluice.url, 'GET', `${repoBase(name)}/file/main/data/none.txt`)).status).toBe(404);
    expect((await send(sluice.url, 'GET', `${repoBase(name)}/commits/${created.id}`)).json().commit.id).toBe(
      created.id,
    );
    expect((await send(sluice.url, 'GET', `${repoBase(name)}/commits/ffff`)).status).toBe(404);
    // an unnamed workspace is gone after its commit
    expect((await send(sluice.url, 'GET', ws)).status).toBe(404);
    expect((await send(sluice.url, 'GET', `${repoBase(name)}`)).json().repository).toMatchObject({
      is_empty: false,
      branch_count: 1,
    });
  });

  it('answers 422 NoChanges when only unchanged content was re-uploaded', async () => {
    const name = await newRepo();
    const ws = await workspace(name, 'w1');
    await upload(sluice.url, `${ws}/files/`, [{ filename: 'same.txt', content: 'same', gzip: true }]);
    expect((await commit(ws, 'one')).status).toBe(200);
    const again = await workspace(name, 'w2');
    expect(
      (await upload(sluice.url, `${again}/files/`, [{ filename: 'same.txt', content: 'same', gzip: true }])).json()
        .paths,
    ).toEqual(['same.txt']);
    const reply = await commit(again, 'nothing');
    expect(reply.status).toBe(422);
    expect(reply.json()).toMatchObject({ status: 'error', status_message: 'NoChanges' });
  });

  it('keeps a named workspace on the new commit with an empty stage', async () => {
    const name = await newRepo();
    const ws = await workspace(name, 'w1', { name: 'labelling' });
    await upload(sluice.url, `${ws}/files/`, [{ filename: 'l.txt', content: 'l' }]);
    const created = (await commit(ws, 'labels')).json().commit;
    const after = (await send(sluice.url, 'GET', ws)).json().workspace;
    expect(after).toMatchObject({ id: 'w1', name: 'labelling', commit: { id: created.id } });
    expect((await stagedFiles(sluice.url, ws)).size).toBe(0);
  });

  it('reports mergeability, and refuses a conflicting commit with 409 changing nothing', async () => {
    const name = await newRepo();
    const seed = await workspace(name, 'seed');
    await upload(sluice.url, `${seed}/files/`, [
      { filename: 'shared.txt', content: 'v1' },
      { filename: 'other.txt', content: 'o1' },
    ]);
    const base = (await commit(seed, 'seed')).json().commit;
    const left = await workspace(name, 'left');
    const right = await workspace(name, 'right');
    await upload(sluice.url, `${left}/files/`, [{ filename: 'shared.txt', content: 'left' }]);
    await upload(sluice.url, `${right}/files/`, [{ filename: 'shared.txt', content: 'right' }]);
    const before = (await send(sluice.url, 'GET', `${right}/merge/main`)).json();
    expect(before).toMatchObject({ status: 'success', is_mergeable: true, conflicts: [] });
    expect(before.commits.map((c: { id: string }) => c.id)).toEqual([base.id]);

    const landed = (await commit(left, 'left wins')).json().commit;
    const after = (await send(sluice.url, 'GET', `${right}/merge/main`)).json();
    expect(after).toMatchObject({ is_mergeable: false, conflicts: [{ path: 'shared.txt' }] });
    expect(after.commits.map((c: { id: string }) => c.id)).toEqual([landed.id, base.id]);

    const refused = await commit(right, 'right loses');
    expect(refused.status).toBe(409);
    expect(refused.json()).toMatchObject({
      status: 'error',
      status_message: 'conflict',
      error: { title: 'Workspace is behind' },
    });
    expect((await send(sluice.url, 'GET', `${repoBase(name)}/branches/main`)).json().branch.commit_id).toBe(landed.id);
    expect((await stagedFiles(sluice.url, right)).get('shared.txt')?.status).toBe('modified');
    expect((await send(sluice.url, 'GET', `${right}/merge/nope`)).status).toBe(404);
  });

  it('lands concurrent commits of two workspaces on one branch when they touch different files', async () => {
    const name = await newRepo();
    const spaces = await Promise.all(['a', 'b', 'c', 'd'].map((id) => workspace(name, id)));
    await Promise.all(
      spaces.map((ws, i) => upload(sluice.url, `${ws}/files/`, [{ filename: `f${i}.txt`, content: `file ${i}` }])),
    );
    const replies = await Promise.all(spaces.map((ws, i) => commit(ws, `commit ${i}`)));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    for (let i = 0; i < spaces.length; i++) {
      expect((await send(sluice.url, 'GET', `${repoBase(name)}/file/main/f${i}.txt`)).body.toString()).toBe(
        `file ${i}`,
      );
    }
    // the four commits form one line of history
    const ids = new Set(replies.map((r) => r.json().commit.id));
    const head = (await send(sluice.url, 'GET', `${repoBase(name)}/branches/main`)).json().branch.commit_id;
    let walked = 0;
    for (let id = head; ids.has(id); walked++)
      id = (await send(sluice.url, 'GET', `${repoBase(name)}/commits/${id}`)).json().commit.parent_ids[0];
    expect(walked).toBe(4);
  });

  it('moves and removes files as upstream', async () => {
    const name = await newRepo();
    const seed = await workspace(name, 'seed');
    await upload(sluice.url, `${seed}/files/`, [
      { filename: 'keep.txt', content: 'k' },
      { filename: 'dir/x.txt', content: 'x' },
      { filename: 'dir/y.txt', content: 'y' },
      { filename: 'old.txt', content: 'o' },
    ]);
    await commit(seed, 'seed');
    const ws = await workspace(name, 'edit');
    await upload(sluice.url, `${ws}/files/`, [{ filename: 'new.txt', content: 'n' }]);

    const rm = await sendJson(sluice.url, 'DELETE', `${ws}/files`, ['dir']);
    expect(rm.json()).toMatchObject({ status: 'success', status_message: 'resource_deleted', paths: ['dir'] });
    const partial = await sendJson(sluice.url, 'DELETE', `${ws}/files`, ['keep.txt', 'new.txt']);
    expect(partial.status).toBe(206);
    expect(partial.json()).toMatchObject({ status: 'error', paths: ['new.txt'] });

    expect(
      (await sendJson(sluice.url, 'PATCH', `${ws}/files/old.txt`, { new_path: 'renamed.txt' })).json().status_message,
    ).toBe('resource_updated');
    expect((await sendJson(sluice.url, 'PATCH', `${ws}/files/new.txt`, { new_path: 'moved/new.txt' })).status).toBe(
      200,
    );
    expect((await sendJson(sluice.url, 'PATCH', `${ws}/files/renamed.txt`, { new_path: '' })).status).toBe(400);
    expect(
      (await sendJson(sluice.url, 'PATCH', `${ws}/files/moved/new.txt`, { new_path: 'keep.txt' })).json()
        .status_description,
    ).toBe('new_path already exists in the repository');
    expect((await sendJson(sluice.url, 'PATCH', `${ws}/files/ghost.txt`, { new_path: 'g.txt' })).status).toBe(404);
    expect((await sendJson(sluice.url, 'PATCH', `${ws}/files/moved/new.txt`, { new_path: 'renamed.txt' })).status).toBe(
      409,
    );

    const staged = await stagedFiles(sluice.url, ws);
    expect(Object.fromEntries([...staged].map(([p, e]) => [p, e.status]))).toEqual({
      'dir/x.txt': 'removed',
      'dir/y.txt': 'removed',
      'keep.txt': 'removed',
      'old.txt': 'removed',
      'renamed.txt': 'added',
      'moved/new.txt': 'added',
    });
    expect((await commit(ws, 'edits')).status).toBe(200);
    const root = (await send(sluice.url, 'GET', `${repoBase(name)}/dir/main/`))
      .json()
      .entries.map((e: { filename: string }) => e.filename);
    expect(root).toEqual(['moved', 'renamed.txt']);
    expect((await send(sluice.url, 'GET', `${repoBase(name)}/file/main/renamed.txt`)).body.toString()).toBe('o');
  });

  it('lists, shows and creates branches', async () => {
    const name = await newRepo();
    expect((await send(sluice.url, 'GET', `${repoBase(name)}/branches`)).json().branches).toEqual([]);
    const ws = await workspace(name, 'w');
    await upload(sluice.url, `${ws}/files/`, [{ filename: 'a.txt', content: 'a' }]);
    const head = (await commit(ws, 'a')).json().commit.id;
    const created = await sendJson(sluice.url, 'POST', `${repoBase(name)}/branches`, {
      new_name: 'feature/x',
      from_name: 'main',
    });
    expect(created.json()).toMatchObject({
      status_message: 'resource_created',
      branch: { name: 'feature/x', commit_id: head },
    });
    expect(
      (
        await sendJson(sluice.url, 'POST', `${repoBase(name)}/branches`, { new_name: 'feature/x', from_name: 'main' })
      ).json().status_message,
    ).toBe('resource_found');
    expect(
      (await sendJson(sluice.url, 'POST', `${repoBase(name)}/branches`, { new_name: 'at', commit_id: head })).json()
        .branch.commit_id,
    ).toBe(head);
    expect(
      (await sendJson(sluice.url, 'POST', `${repoBase(name)}/branches`, { new_name: 'y', from_name: 'nope' })).status,
    ).toBe(404);
    expect((await sendJson(sluice.url, 'POST', `${repoBase(name)}/branches`, { oops: 1 })).status).toBe(400);
    expect((await send(sluice.url, 'GET', `${repoBase(name)}/branches/feature/x`)).json().branch.name).toBe(
      'feature/x',
    );
    const missing = await send(sluice.url, 'GET', `${repoBase(name)}/branches/none`);
    expect(missing.status).toBe(404);
    expect(missing.json().error).toMatchObject({
      title: 'Branch does not exist',
      detail: 'Could not find branch: none',
    });
    expect((await send(sluice.url, 'GET', `${repoBase(name)}/file/feature/x/a.txt`)).body.toString()).toBe('a');
    expect(
      (await send(sluice.url, 'GET', `${repoBase(name)}/branches`))
        .json()
        .branches.map((b: { name: string }) => b.name),
    ).toEqual(['at', 'feature/x', 'main']);
  });

  it('removes the job of a refused synchronous commit, so the same commit asked again lands', async () => {
    const name = await newRepo();
    const ws = await workspace(name, 'early');
    // BullMQ keeps a job that failed in this set, until the job is removed with its key
    const queueKey = `${queuePrefix(env.SLUICE_KEY_PREFIX!)}:${commitQueueName}`;
    const failedJobs = async () => (await redis.zrange(`${queueKey}:failed`, 0, -1)).sort();
    const before = await failedJobs();
    const nothing = await commit(ws, 'too early');
    expect(nothing.json()).toMatchObject({ status: 'error', status_message: 'NoChanges' });
    expect(await failedJobs()).toEqual(before);
    const nowhere = await commit(ws, 'too early', 'no-such-branch');
    expect(nowhere.status).toBe(404);
    expect(await failedJobs()).toEqual(before);

    await upload(sluice.url, `${ws}/files/data`, [{ filename: 'late.txt', content: 'staged at last', gzip: false }]);
    const landed = await commit(ws, 'too early');
    expect(landed.status).toBe(200);
    expect(landed.json().commit).toMatchObject({ message: 'too early' });
    expect((await send(sluice.url, 'GET', `${repoBase(name)}/file/main/data/late.txt`)).body.toString()).toBe(
      'staged at last',
    );
  });

  it('commits a workspace as a queued job with Prefer: respond-async, failures carrying their code', async () => {
    const name = await newRepo();
    const ws = await workspace(name, 'big');
    const files = Array.from({ length: 300 }, (_, i) => ({
      filename: `d${i % 7}/f${i}.txt`,
      content: `row ${i}`,
      gzip: true,
    }));
    expect((await upload(sluice.url, `${ws}/files/data`, files)).json().paths).toHaveLength(300);
    const accepted = await send(sluice.url, 'POST', `${ws}/merge/main`, {
      headers: { 'content-type': 'application/json', prefer: 'respond-async' },
      body: JSON.stringify({ message: 'bulk', ...author }),
    });
    expect(accepted.status).toBe(202);
    const location = accepted.headers.location as string;
    expect(location).toMatch(/^\/api\/jobs\/commit-/);
    const job = await waitForJob(sluice.url, location);
    expect(job).toMatchObject({ kind: 'commit', state: 'completed', branch: 'main', commit: { message: 'bulk' } });
    expect((await send(sluice.url, 'GET', `${repoBase(name)}/branches/main`)).json().branch.commit_id).toBe(
      job.commit.id,
    );
    expect((await send(sluice.url, 'GET', `${repoBase(name)}/file/main/data/d3/f10.txt`)).body.toString()).toBe(
      'row 10',
    );

    const empty = await workspace(name, 'empty');
    const refused = await send(sluice.url, 'POST', `${empty}/merge/main?async=true`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'nothing', ...author }),
    });
    const failed = await waitForJob(sluice.url, refused.headers.location as string);
    // a failure no retry can cure is tried once, and its code crosses the queue as it was raised
    expect(failed).toMatchObject({
      state: 'failed',
      attempts: 1,
      error: { code: 'unprocessable', message: expect.stringMatching(/^(?!\{)/) },
    });
  });
});
