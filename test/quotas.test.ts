import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { send, sendJson, stagedFiles, upload, waitForJob, type Part } from './support/oxen-http.js';

const files = (names: string[], size = 10): Part[] =>
  names.map((name) => ({ filename: name, content: name.padEnd(size, '.').slice(0, size), gzip: true }));

describe('per-workspace quotas (SLUICE_WORKSPACE_MAX_FILES=5, SLUICE_WORKSPACE_MAX_BYTES=1000)', () => {
  let sluice: SluiceProcess;
  let n = 0;
  /** A named workspace on a fresh repository: it survives its commits. */
  const workspace = async () => {
    const repo = `quota${n++}`;
    expect((await sendJson(sluice.url, 'POST', '/api/repos', { namespace: 'ox', name: repo })).status).toBe(200);
    expect(
      (
        await sendJson(sluice.url, 'PUT', `/api/repos/ox/${repo}/workspaces`, {
          workspace_id: 'w',
          name: 'kept',
          branch_name: 'main',
        })
      ).status,
    ).toBe(200);
    return `/api/repos/ox/${repo}/workspaces/w`;
  };
  const staged = async (ws: string) => [...(await stagedFiles(sluice.url, ws)).keys()].sort();

  beforeAll(async () => {
    sluice = await startSluice(
      testEnv('fs', { SLUICE_WORKSPACE_MAX_FILES: '5', SLUICE_WORKSPACE_MAX_BYTES: '1000' }).env,
    );
  });
  afterAll(async () => sluice?.stop());

  it('refuses an upload that would pass the file quota, whole, and takes one that fits', async () => {
    const ws = await workspace();
    expect((await upload(sluice.url, `${ws}/files/`, files(['a', 'b', 'c']))).json().paths).toEqual(['a', 'b', 'c']);

    const over = await upload(sluice.url, `${ws}/files/`, files(['d', 'e', 'f']));
    expect(over.status).toBe(413);
    expect(over.json()).toMatchObject({ status: 'error', error: { type: 'quota_exceeded' } });
    expect(over.json().error.detail).toMatch(/at most 5 files and 1000 bytes; it has 3 files and 30 bytes staged/);
    expect(await staged(ws)).toEqual(['a', 'b', 'c']);

    // replacing staged paths adds no file; two new ones fill the quota exactly
    expect((await upload(sluice.url, `${ws}/files/`, files(['a', 'd', 'e'], 20))).json().paths).toEqual([
      'a',
      'd',
      'e',
    ]);
    expect(await staged(ws)).toEqual(['a', 'b', 'c', 'd', 'e']);

    // full: refused before the body is read, with what to do about it
    const full = await upload(sluice.url, `${ws}/files/`, files(['g']));
    expect(full.status).toBe(413);
    expect(full.json().error.detail).toMatch(
      /at most 5 files and 1000 bytes; it has 5 files and 80 bytes staged.*commit or unstage first/,
    );
  });

  it('gives room back when files are unstaged or committed', async () => {
    const ws = await workspace();
    expect((await upload(sluice.url, `${ws}/files/`, files(['a', 'b', 'c', 'd', 'e']))).status).toBe(200);
    expect((await send(sluice.url, 'DELETE', `${ws}/changes/b`)).status).toBe(200);
    expect((await upload(sluice.url, `${ws}/files/`, files(['f']))).json().paths).toEqual(['f']);
    expect((await upload(sluice.url, `${ws}/files/`, files(['g']))).status).toBe(413);

    const commit = await sendJson(sluice.url, 'POST', `${ws}/merge/main`, {
      message: 'five',
      author: 'a',
      email: 'a@x',
    });
    expect(commit.status).toBe(200);
    const next = await upload(sluice.url, `${ws}/files/next`, files(['1', '2', '3', '4']));
    expect(next.json().paths).toEqual(['next/1', 'next/2', 'next/3', 'next/4']);
    // a staged removal of a committed file counts as a file (of no bytes)
    expect((await sendJson(sluice.url, 'DELETE', `${ws}/files`, ['a'])).status).toBe(200);
    expect((await upload(sluice.url, `${ws}/files/`, files(['h']))).status).toBe(413);
  });

  it('counts bytes as staged, refusing the part that would pass them', async () => {
    const ws = await workspace();
    expect(await upload(sluice.url, `${ws}/files/`, files(['big'], 1001))).toMatchObject({ status: 413 });
    expect((await upload(sluice.url, `${ws}/files/`, files(['fits'], 999))).json().paths).toEqual(['fits']);
    expect((await upload(sluice.url, `${ws}/files/`, files(['more'], 2))).status).toBe(413);
    // smaller content at the same path frees bytes
    expect((await upload(sluice.url, `${ws}/files/`, files(['fits'], 500))).status).toBe(200);
    expect((await upload(sluice.url, `${ws}/files/`, files(['more'], 400))).json().paths).toEqual(['more']);
    expect((await stagedFiles(sluice.url, ws)).get('more')?.size).toBe(400);
  });

  it('fails an asynchronous job over the quota with the code on every file', async () => {
    const ws = await workspace();
    const accepted = await upload(sluice.url, `${ws}/files/`, files(['a', 'b', 'c', 'd', 'e', 'f']), {
      prefer: 'respond-async',
    });
    expect(accepted.status).toBe(202);
    const job = await waitForJob(sluice.url, accepted.headers.location as string);
    expect(job.paths).toEqual([]);
    expect(job.files.map((file: { error: { code: string } }) => file.error.code)).toEqual(
      Array(6).fill('quota_exceeded'),
    );
    expect(await staged(ws)).toEqual([]);
  });

  it('counts staged removals and moves at the door: past the quota nothing is staged', async () => {
    const repo = `quota${n++}`;
    const committed = ['1', '2', '3', '4', '5', '6'].map((name) => ({ path: `d/${name}.txt`, contents: name }));
    expect(
      (
        await sendJson(sluice.url, 'POST', '/api/repos', {
          namespace: 'ox',
          name: repo,
          files: [...committed, { path: 'top.txt', contents: 't' }],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await sendJson(sluice.url, 'PUT', `/api/repos/ox/${repo}/workspaces`, {
          workspace_id: 'w',
          name: 'kept',
          branch_name: 'main',
        })
      ).status,
    ).toBe(200);
    const ws = `/api/repos/ox/${repo}/workspaces/w`;

    // removing a directory of six files stages six removals: refused whole
    const rm = await sendJson(sluice.url, 'DELETE', `${ws}/files`, ['d']);
    expect(rm.status).toBe(413);
    expect(rm.json()).toMatchObject({ status: 'error', error: { type: 'quota_exceeded' } });
    expect(await staged(ws)).toEqual([]);

    // a move of a committed file stages two entries (the new path, the old one's removal)
    expect(
      (await sendJson(sluice.url, 'DELETE', `${ws}/files`, ['d/1.txt', 'd/2.txt', 'd/3.txt', 'd/4.txt'])).status,
    ).toBe(200);
    const mv = await sendJson(sluice.url, 'PATCH', `${ws}/files/top.txt`, { new_path: 'moved.txt' });
    expect(mv.status).toBe(413);
    expect(mv.json().error.type).toBe('quota_exceeded');
    expect(await staged(ws)).toEqual(['d/1.txt', 'd/2.txt', 'd/3.txt', 'd/4.txt']);
    expect((await sendJson(sluice.url, 'DELETE', `${ws}/files`, ['d/5.txt'])).status).toBe(200);
    expect((await sendJson(sluice.url, 'DELETE', `${ws}/files`, ['d/6.txt'])).status).toBe(413);

    // moving a staged file adds nothing: it is taken at a full quota
    expect((await send(sluice.url, 'DELETE', `${ws}/changes/d/5.txt`)).status).toBe(200);
    expect((await upload(sluice.url, `${ws}/files/`, files(['new']))).status).toBe(200);
    expect((await sendJson(sluice.url, 'PATCH', `${ws}/files/new`, { new_path: 'renamed' })).status).toBe(200);
    expect(await staged(ws)).toEqual(['d/1.txt', 'd/2.txt', 'd/3.txt', 'd/4.txt', 'renamed']);
  });

  it('refuses a chunked completion past the quota before its job, keeping its chunks for a later one', async () => {
    const ws = await workspace();
    const repo = ws.slice(0, ws.indexOf('/workspaces'));
    expect((await upload(sluice.url, `${ws}/files/`, files(['a'], 600))).status).toBe(200);
    const content = Buffer.from('c'.repeat(500));
    const hash = await oxenHash(content);
    const put = await send(sluice.url, 'PUT', `${repo}/versions/${hash}/chunks?offset=0`, { body: content });
    expect(put.status).toBe(200);
    const complete = () =>
      sendJson(sluice.url, 'POST', `${repo}/versions/${hash}/complete`, {
        files: [{ hash, file_name: 'big.bin', num_chunks: 1 }],
        workspace_id: 'w',
      });
    const over = await complete();
    expect(over.status).toBe(413);
    expect(over.json().error).toMatchObject({ type: 'quota_exceeded', detail: expect.stringMatching(/600 bytes/) });
    expect(await staged(ws)).toEqual(['a']);
    // room made: the same chunks complete, nothing sent again
    expect((await send(sluice.url, 'DELETE', `${ws}/changes/a`)).status).toBe(200);
    expect((await complete()).json()).toMatchObject({ status: 'success', path: 'big.bin' });
    expect(await staged(ws)).toEqual(['big.bin']);
  });

  it('refuses a resumable upload that declares more than the workspace may still take when it begins', async () => {
    const ws = await workspace();
    const repo = ws.slice(0, ws.indexOf('/workspaces'));
    expect((await upload(sluice.url, `${ws}/files/`, files(['a'], 600))).status).toBe(200);
    const hash = 'a'.repeat(32);
    const begin = (path: string, size: number) =>
      sendJson(sluice.url, 'POST', `${repo}/versions/uploads`, {
        hash,
        size,
        destination: { path, workspace_id: 'w' },
      });
    const over = await begin('big.bin', 401);
    expect(over.status).toBe(413);
    expect(over.json()).toMatchObject({
      status: 'error',
      error: { type: 'quota_exceeded', detail: expect.stringMatching(/1 files and 600 bytes staged/) },
    });
    // replacing the staged file gives its bytes back; what fits begins
    expect((await begin('a', 1000)).json().file.status).toBe('awaiting_parts');
    expect((await begin('fits.bin', 400)).json().file.status).toBe('awaiting_parts');
  });

  it('holds under concurrent uploads: never more than the quota staged', async () => {
    const ws = await workspace();
    const replies = await Promise.all(
      ['p', 'q', 'r', 's'].map((dir) => upload(sluice.url, `${ws}/files/${dir}`, files(['1', '2']))),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 413, 413]);
    expect(await staged(ws)).toHaveLength(4);
  });
});
