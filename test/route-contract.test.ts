import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type AppServices } from '@sluice/api';
import { createServices } from '@sluice/sluice';
import { loadConfig } from '@sluice/core';
import { Envelope } from '@sluice/protocol';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { repoWithWorkspace, send, sendJson } from './support/oxen-http.js';

describe('route schemas: requests they refuse', () => {
  let sluice: SluiceProcess;
  let ws: string;
  beforeAll(async () => {
    sluice = await startSluice(testEnv('fs').env);
    ws = await repoWithWorkspace(sluice.url, 'contract', 'data', 'w1');
  });
  afterAll(async () => sluice?.stop());

  it('answers 400 bad_request naming the missing field, and creates nothing', async () => {
    const reply = await sendJson(sluice.url, 'PUT', '/api/repos/contract/data/workspaces', {
      branch_name: 'main',
      name: 'second',
    });
    expect(reply.status).toBe(400);
    const body = reply.json();
    expect(body).toMatchObject({ status: 'error', status_message: 'bad_request', error: { type: 'bad_request' } });
    expect(body.status_description).toBe('Invalid request body: missing field `workspace_id`');
    const list = await send(sluice.url, 'GET', '/api/repos/contract/data/workspaces');
    expect(list.json().workspaces.map((w: { id: string }) => w.id)).toEqual(['w1']);
  });

  it('names a field of the wrong type by its path, and stages nothing', async () => {
    const reply = await sendJson(sluice.url, 'POST', `${ws}/stage_hashes`, {
      files: [
        { path: 'a.txt', hash: 'abc' },
        { path: 'b.txt', hash: 7 },
      ],
    });
    expect(reply.status).toBe(400);
    expect(reply.json().status_description).toBe('Invalid request body: `files[1].hash` must be string');
    const changes = await send(sluice.url, 'GET', `${ws}/changes`);
    expect(changes.json().staged.added_files.total_entries).toBe(0);
  });

  it('reads a JSON body sent without a Content-Type, as the stock client sends a commit', async () => {
    const reply = await send(sluice.url, 'POST', `${ws}/merge/main`, {
      body: JSON.stringify({ message: 'm', author: 'a' }),
    });
    expect(reply.status).toBe(400);
    expect(reply.json().status_description).toBe('Invalid request body: missing field `email`');
  });

  it('takes query numbers as text but refuses what is not one', async () => {
    expect((await send(sluice.url, 'GET', `${ws}/changes?page=2&page_size=5`)).json().staged.added_files).toMatchObject(
      { page_number: 2, page_size: 5 },
    );
    const reply = await send(sluice.url, 'GET', `${ws}/changes?page=0`);
    expect(reply.status).toBe(400);
    expect(reply.json().status_description).toBe('Invalid querystring: `page` must be >= 1');
  });

  it('finds the repository before the workspace, once, for every route under it', async () => {
    const noRepo = await sendJson(sluice.url, 'POST', '/api/repos/contract/none/workspaces/w1/stage_hashes', {
      files: [],
    });
    expect(noRepo.status).toBe(404);
    expect(noRepo.json().status_description).toBe("Repository 'contract/none' not found");
    const noWorkspace = await sendJson(sluice.url, 'POST', '/api/repos/contract/data/workspaces/nope/stage_hashes', {
      files: [],
    });
    expect(noWorkspace.status).toBe(404);
    expect(noWorkspace.json().error.type).toBe('workspace_not_found');
  });
});

describe('route schemas: answers that stray from them', () => {
  const stray = {
    operationId: 'stray',
    summary: 'an answer with a field its schema does not name',
    tags: ['test'],
    response: { 200: Envelope({}) },
  };
  const services: AppServices[] = [];
  const servicesWith = async (checkAnswers: 'on' | 'off') => {
    const created = await createServices(loadConfig(testEnv('fs', { SLUICE_CHECK_ANSWERS: checkAnswers }).env));
    services.push(created);
    return created;
  };
  afterAll(async () => {
    for (const s of services) {
      await Promise.allSettled([s.queue.close(), s.commitQueue.close(), s.events.close()]);
      s.redis.disconnect();
    }
  });
  const answerOf = async (checkAnswers: 'on' | 'off') => {
    const app = await buildApp(await servicesWith(checkAnswers));
    app.get('/api/stray', { schema: stray }, async () => ({
      status: 'success',
      status_message: 'resource_found',
      undeclared: 1,
    }));
    const reply = await app.inject({ method: 'GET', url: '/api/stray' });
    await app.close();
    return reply;
  };

  it('fail with 500 in the envelope when answers are checked (the test suite runs so)', async () => {
    const reply = await answerOf('on');
    expect(reply.statusCode).toBe(500);
    expect(reply.json()).toMatchObject({ status: 'error', error: { type: 'internal' } });
    expect(reply.body).not.toMatch(/at \w+ \(|strays/);
  });

  it('go out as written when they are not: a schema never drops or reshapes a field', async () => {
    const reply = await answerOf('off');
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toEqual({ status: 'success', status_message: 'resource_found', undeclared: 1 });
  });
});
