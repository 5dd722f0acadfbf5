import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { send, sendJson, stagedFiles, upload } from './support/oxen-http.js';

describe('repositories, workspaces and unstaging', () => {
  let sluice: SluiceProcess;
  beforeAll(async () => {
    sluice = await startSluice(testEnv('fs').env);
  });
  afterAll(async () => sluice?.stop());

  it('creates, shows and lists repositories with upstream name rules', async () => {
    const created = await sendJson(sluice.url, 'POST', '/api/repos', { namespace: 'team', name: 'birds' });
    expect(created.status).toBe(200);
    expect(created.json()).toMatchObject({
      status: 'success',
      status_message: 'resource_found',
      repository: { namespace: 'team', name: 'birds', latest_commit: null },
    });
    const again = await sendJson(sluice.url, 'POST', '/api/repos', { namespace: 'team', name: 'birds' });
    expect(again.status).toBe(409);
    expect(again.json().status_message).toBe('Repo already exists.');
    const bad = await sendJson(sluice.url, 'POST', '/api/repos', { namespace: 'team', name: '-x' });
    expect(bad.status).toBe(400);
    expect(bad.json().status_message).toMatch(/^Invalid repository or namespace name '-x'/);
    const missing = await sendJson(sluice.url, 'POST', '/api/repos', { namespace: 'team' });
    expect(missing.status).toBe(400);
    const notJson = await send(sluice.url, 'POST', '/api/repos', {
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(notJson.status).toBe(400);
    expect(notJson.json().status).toBe('error');

    const shown = await send(sluice.url, 'GET', '/api/repos/team/birds');
    expect(shown.json().repository).toMatchObject({
      namespace: 'team',
      name: 'birds',
      is_empty: true,
      storage_kind: 'local',
      branch_count: 0,
    });
    expect(
      (await send(sluice.url, 'GET', '/api/repos/team')).json().repositories.map((r: { name: string }) => r.name),
    ).toEqual(['birds']);
    expect((await send(sluice.url, 'GET', '/api/repos/team/nope')).status).toBe(404);
  });

  it('gets or creates workspaces by id and by name, with the initial commit on an empty repo', async () => {
    await sendJson(sluice.url, 'POST', '/api/repos', { namespace: 'team', name: 'cats' });
    const base = '/api/repos/team/cats/workspaces';
    const first = await sendJson(sluice.url, 'PUT', base, { workspace_id: 'w-1', branch_name: 'main', name: 'labels' });
    expect(first.json()).toMatchObject({
      status_message: 'resource_created',
      workspace: {
        id: 'w-1',
        name: 'labels',
        commit: { message: 'Initialized Repo 🐂', author: 'Oxen', email: 'oxen@oxen.ai', parent_ids: [] },
      },
    });
    // found by name; upstream echoes the request's id
    const byName = await sendJson(sluice.url, 'PUT', base, {
      workspace_id: 'w-2',
      branch_name: 'main',
      name: 'labels',
    });
    expect(byName.json()).toMatchObject({ status_message: 'resource_found', workspace: { id: 'w-2', name: 'labels' } });
    const unnamed = await sendJson(sluice.url, 'POST', base, { workspace_id: 'w-3', branch_name: 'main' });
    expect(unnamed.json().workspace.commit.id).toBe(first.json().workspace.commit.id);
    const otherBranch = await sendJson(sluice.url, 'PUT', base, { workspace_id: 'w-4', branch_name: 'dev' });
    expect(otherBranch.status).toBe(400);
    expect(otherBranch.json().status_message).toBe(
      'Branch not found: dev. For non-empty repositories, create the branch first.',
    );
    expect((await sendJson(sluice.url, 'PUT', base, { branch_name: 'main' })).status).toBe(400);

    expect((await send(sluice.url, 'GET', `${base}/labels`)).json().workspace.id).toBe('w-1');
    expect((await send(sluice.url, 'GET', `${base}/w-1`)).json().workspace.name).toBe('labels');
    expect((await send(sluice.url, 'GET', base)).json().workspaces.map((w: { id: string }) => w.id)).toEqual([
      'w-1',
      'w-3',
    ]);
    expect(
      (await send(sluice.url, 'GET', `${base}?name=labels`)).json().workspaces.map((w: { id: string }) => w.id),
    ).toEqual(['w-1']);
    expect((await send(sluice.url, 'GET', `${base}?name=none`)).json().workspaces).toEqual([]);
    expect((await sendJson(sluice.url, 'POST', `${base}/w-1/validate`, { size: 10 })).json().status).toBe('success');
    const gone = await sendJson(sluice.url, 'POST', `${base}/zzz/validate`, { size: 10 });
    expect(gone.status).toBe(404);
    expect(gone.json().status_description).toBe('Workspace not found: zzz');

    const deleted = await send(sluice.url, 'DELETE', `${base}/labels`);
    expect(deleted.json()).toMatchObject({ status_message: 'resource_created', workspace: { id: 'w-1' } });
    expect((await send(sluice.url, 'GET', `${base}/w-1`)).status).toBe(404);
    expect((await send(sluice.url, 'GET', `${base}/labels`)).status).toBe(404);
  });

  it('unstages one path, a list, and through the deprecated aliases', async () => {
    await sendJson(sluice.url, 'POST', '/api/repos', { namespace: 'team', name: 'dogs' });
    await sendJson(sluice.url, 'PUT', '/api/repos/team/dogs/workspaces', { workspace_id: 'w', branch_name: 'main' });
    const ws = '/api/repos/team/dogs/workspaces/w';
    const files = ['a', 'b', 'c', 'd', 'e'].map((n) => ({ filename: `${n}.txt`, content: n, gzip: true }));
    expect((await upload(sluice.url, `${ws}/files/d`, files)).json().paths).toHaveLength(5);

    expect((await send(sluice.url, 'DELETE', `${ws}/changes/d/a.txt`)).json().status_message).toBe('resource_deleted');
    expect((await send(sluice.url, 'DELETE', `${ws}/changes/d/a.txt`)).status).toBe(404);
    expect((await send(sluice.url, 'DELETE', `${ws}/files/d/b.txt`)).status).toBe(200);
    expect((await sendJson(sluice.url, 'DELETE', `${ws}/changes`, ['d/c.txt', 'd/nope.txt'])).status).toBe(200);
    expect((await sendJson(sluice.url, 'DELETE', `${ws}/staged`, ['d/d.txt'])).status).toBe(200);
    expect((await sendJson(sluice.url, 'DELETE', `${ws}/changes`, { not: 'a list' })).status).toBe(400);
    expect([...(await stagedFiles(sluice.url, ws)).keys()]).toEqual(['d/e.txt']);

    const page = (await send(sluice.url, 'GET', `${ws}/changes/d?page=1&page_size=1`)).json().staged;
    expect(page.added_files).toMatchObject({ page_size: 1, page_number: 1, total_pages: 1, total_entries: 1 });
    expect(page.added_dirs.paths.d[0]).toMatchObject({ path: 'd', num_files_staged: 1, status: 'Added' });
    expect((await send(sluice.url, 'GET', `${ws}/changes?page_size=0`)).status).toBe(400);
    expect((await send(sluice.url, 'GET', `${ws}/files/d/a.txt`)).status).toBe(404);
  });

  it('answers version, health, readiness and echoes the request id', async () => {
    const version = await send(sluice.url, 'GET', '/api/version', { headers: { 'x-oxen-request-id': 'trace-me' } });
    expect(version.json()).toMatchObject({ status: 'success', version: '0.54.0' });
    expect(version.headers['x-oxen-request-id']).toBe('trace-me');
    expect((await send(sluice.url, 'GET', '/api/health')).status).toBe(200);
    expect((await send(sluice.url, 'GET', '/api/ready')).json()).toMatchObject({
      redis: 'ok',
      store: 'ok',
      workers: 1,
    });
  });
});

describe('start-up configuration', () => {
  it('refuses bad values, naming every problem', () => {
    const result = spawnSync(process.execPath, [resolve(import.meta.dirname, '../apps/sluice/dist/main.js')], {
      env: { PATH: process.env.PATH, SLUICE_PORT: 'x', SLUICE_STORE: 'tape', SLUICE_MAX_INFLATE_RATIO: '-1' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/SLUICE_PORT="x"/);
    expect(result.stderr).toMatch(/SLUICE_STORE="tape"/);
    expect(result.stderr).toMatch(/SLUICE_MAX_INFLATE_RATIO="-1"/);
  });
});
