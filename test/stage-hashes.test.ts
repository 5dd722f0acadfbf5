import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { repoWithWorkspace, sendJson, stagedFiles, upload } from './support/oxen-http.js';

describe('POST …/workspaces/{id}/stage_hashes (sluice extension)', () => {
  let sluice: SluiceProcess;
  beforeAll(async () => {
    sluice = await startSluice(testEnv('fs', { SLUICE_WORKSPACE_MAX_FILES: '4' }).env);
  });
  afterAll(async () => sluice?.stop());

  it('stages known content by hash, names the paths it lacks, and refuses bad input whole', async () => {
    const ws = await repoWithWorkspace(sluice.url, 'ox', 'byhash', 'ws');
    expect(
      (await upload(sluice.url, `${ws}/files/`, [{ filename: 'orig.txt', content: 'known content', gzip: true }]))
        .status,
    ).toBe(200);
    const known = await oxenHash('known content');
    const unknown = await oxenHash('never uploaded');

    const answer = await sendJson(sluice.url, 'POST', `${ws}/stage_hashes`, {
      files: [
        { path: 'copies/./a.txt', hash: known },
        { path: 'b.txt', hash: unknown },
        { path: 'c.txt', hash: known },
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ status: 'success', paths: ['copies/a.txt', 'c.txt'], missing: ['b.txt'] });
    const staged = await stagedFiles(sluice.url, ws);
    expect(staged.get('copies/a.txt')).toMatchObject({ hash: known, size: 'known content'.length, status: 'added' });
    expect(staged.has('b.txt')).toBe(false);

    for (const body of [
      {},
      { files: 'no' },
      { files: [{ path: 'x' }] },
      { files: [{ path: '../up', hash: known }] },
      { files: [{ path: 'x', hash: 'NOT-HEX' }] },
    ]) {
      const refused = await sendJson(sluice.url, 'POST', `${ws}/stage_hashes`, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.json().status).toBe('error');
    }
    // the quota holds here as for uploads: 3 staged, 2 more would make 5 > 4
    const over = await sendJson(sluice.url, 'POST', `${ws}/stage_hashes`, {
      files: [
        { path: 'd.txt', hash: known },
        { path: 'e.txt', hash: known },
      ],
    });
    expect(over.status).toBe(413);
    expect([...(await stagedFiles(sluice.url, ws)).keys()].sort()).toEqual(['c.txt', 'copies/a.txt', 'orig.txt']);
    expect(
      (await sendJson(sluice.url, 'POST', '/api/repos/ox/byhash/workspaces/nope/stage_hashes', { files: [] })).status,
    ).toBe(404);
  });
});
