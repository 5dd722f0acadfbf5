import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { send, sendJson, stagedFiles, upload, waitForJob, type Part } from './support/oxen-http.js';
import type { JsonBody } from './support/json-body.js';

const part = (filename: string, content = filename): Part => ({ filename, content, gzip: true });
const commitBody = { message: 'm', author: 'a', email: 'a@x' };

/**
 * A file and a directory never share a path: the request that
 * would make them is refused whole, and no commit drops either.
 */
describe('file/directory collisions (issue 26, item 4)', () => {
  let sluice: SluiceProcess;
  let n = 0;
  const repoWith = async (files: Array<{ path: string; contents: string }>) => {
    const repo = `/api/repos/ox/collide${n++}`;
    const name = repo.slice(repo.lastIndexOf('/') + 1);
    expect(
      (
        await sendJson(sluice.url, 'POST', '/api/repos', {
          namespace: 'ox',
          name,
          ...(files.length > 0 ? { files } : {}),
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await sendJson(sluice.url, 'PUT', `${repo}/workspaces`, {
          workspace_id: 'w',
          name: 'kept',
          branch_name: 'main',
        })
      ).status,
    ).toBe(200);
    return { repo, ws: `${repo}/workspaces/w` };
  };
  const staged = async (ws: string) => [...(await stagedFiles(sluice.url, ws)).keys()].sort();
  const committedFile = async (repo: string, path: string) =>
    (await send(sluice.url, 'GET', `${repo}/file/main/${path}`)).body.toString();
  const refusedAsConflict = (reply: { status: number; json(): JsonBody }, path: RegExp) => {
    expect(reply.status).toBe(409);
    expect(reply.json()).toMatchObject({
      status: 'error',
      error: { type: 'path_conflict', detail: expect.stringMatching(path) },
    });
  };

  beforeAll(async () => {
    sluice = await startSluice(testEnv('fs').env);
  });
  afterAll(async () => sluice?.stop());

  it('refuses parts x and x/y in one request, in either order and asynchronously, staging nothing', async () => {
    const { repo, ws } = await repoWith([]);
    refusedAsConflict(
      await upload(sluice.url, `${ws}/files/`, [part('x'), part('x/y')]),
      /x is a file of the same request/,
    );
    refusedAsConflict(
      await upload(sluice.url, `${ws}/files/`, [part('x/y'), part('ok'), part('x')]),
      /x is a file of the same request/,
    );
    const accepted = await upload(sluice.url, `${ws}/files/`, [part('x'), part('x/y')], { prefer: 'respond-async' });
    expect(accepted.status).toBe(202);
    const job = await waitForJob(sluice.url, accepted.headers.location as string);
    expect(job.paths).toEqual([]);
    expect(job.files.map((f: { error: { code: string } }) => f.error.code)).toEqual(['path_conflict', 'path_conflict']);
    expect(await staged(ws)).toEqual([]);
    expect((await sendJson(sluice.url, 'POST', `${ws}/merge/main`, commitBody)).status).toBe(422);
    expect((await send(sluice.url, 'GET', `${repo}/file/main/x`)).status).toBe(404);
  });

  it(
    'refuses a file over a committed directory and a file under a committed file, ' + 'on every route that stages',
    async () => {
      const { repo, ws } = await repoWith([
        { path: 'd/a.txt', contents: 'a' },
        { path: 'd/b.txt', contents: 'b' },
        { path: 'f', contents: 'f' },
      ]);
      refusedAsConflict(await upload(sluice.url, `${ws}/files/`, [part('d')]), /at d: it is a committed directory/);
      refusedAsConflict(await upload(sluice.url, `${ws}/files/f`, [part('g')]), /f is a committed file/);
      const hash = (await send(sluice.url, 'GET', `${repo}/dir/main/d`)).json().entries[0].hash as string;
      refusedAsConflict(
        await sendJson(sluice.url, 'POST', `${ws}/stage_hashes`, { files: [{ path: 'f/g', hash }] }),
        /f is a committed file/,
      );
      refusedAsConflict(
        await sendJson(sluice.url, 'POST', `${ws}/stage_hashes`, { files: [{ path: 'd', hash }] }),
        /committed directory/,
      );
      refusedAsConflict(
        await sendJson(sluice.url, 'PATCH', `${ws}/files/d/a.txt`, { new_path: 'f/a.txt' }),
        /f is a committed file/,
      );
      // upstream's rule for a move onto anything the base commit holds
      expect((await sendJson(sluice.url, 'PATCH', `${ws}/files/f`, { new_path: 'd' })).status).toBe(400);
      // a staged removal does not make room: the file and the directory swap over two commits
      expect((await sendJson(sluice.url, 'DELETE', `${ws}/files`, ['f'])).status).toBe(200);
      refusedAsConflict(await upload(sluice.url, `${ws}/files/f`, [part('g')]), /f is a committed file/);
      expect(await staged(ws)).toEqual(['f']);
      expect((await sendJson(sluice.url, 'POST', `${ws}/merge/main`, commitBody)).status).toBe(200);
      expect((await upload(sluice.url, `${ws}/files/f`, [part('g')])).json().paths).toEqual(['f/g']);
      expect((await sendJson(sluice.url, 'POST', `${ws}/merge/main`, commitBody)).status).toBe(200);
      expect([
        await committedFile(repo, 'd/a.txt'),
        await committedFile(repo, 'd/b.txt'),
        await committedFile(repo, 'f/g'),
      ]).toEqual(['a', 'b', 'g']);
    },
  );

  it('refuses to create a repository with two files at one path, spelled alike or not, creating nothing', async () => {
    for (const [first, second] of [
      ['a.txt', 'a.txt'],
      ['d/a.txt', './d//a.txt'],
    ]) {
      const files = [
        { path: first!, contents: 'one' },
        { path: second!, contents: 'two' },
      ];
      refusedAsConflict(
        await sendJson(sluice.url, 'POST', '/api/repos', { namespace: 'ox', name: 'twice', files }),
        /two files at (d\/)?a\.txt; nothing was created/,
      );
      expect((await send(sluice.url, 'GET', '/api/repos/ox/twice')).status).toBe(404);
    }
  });

  it('refuses a file that collides with one staged by an earlier request, either way round', async () => {
    const { repo, ws } = await repoWith([]);
    expect((await upload(sluice.url, `${ws}/files/`, [part('x')])).status).toBe(200);
    refusedAsConflict(await upload(sluice.url, `${ws}/files/x`, [part('y')]), /x is a staged file/);
    refusedAsConflict(await sendJson(sluice.url, 'PATCH', `${ws}/files/x`, { new_path: 'x/z' }), /x is a staged file/);
    expect((await upload(sluice.url, `${ws}/files/p/q`, [part('r')])).status).toBe(200);
    refusedAsConflict(await upload(sluice.url, `${ws}/files/`, [part('p')]), /at p: files are staged under it/);
    refusedAsConflict(await sendJson(sluice.url, 'PATCH', `${ws}/files/x`, { new_path: 'p/q' }), /p\/q/);
    expect(await staged(ws)).toEqual(['p/q/r', 'x']);
    // once the staged file goes, the path is free
    expect((await send(sluice.url, 'DELETE', `${ws}/changes/p/q/r`)).status).toBe(200);
    expect((await upload(sluice.url, `${ws}/files/`, [part('p')])).status).toBe(200);
    expect((await sendJson(sluice.url, 'POST', `${ws}/merge/main`, commitBody)).status).toBe(200);
    expect([await committedFile(repo, 'x'), await committedFile(repo, 'p')]).toEqual(['x', 'p']);
  });

  it('refuses a resumable upload whose destination collides when it begins, before any part is sent', async () => {
    const { ws } = await repoWith([
      { path: 'd/a.txt', contents: 'a' },
      { path: 'f', contents: 'f' },
    ]);
    expect((await upload(sluice.url, `${ws}/files/`, [part('x')])).status).toBe(200);
    const repo = ws.slice(0, ws.indexOf('/workspaces/'));
    const begin = (path: string) =>
      sendJson(sluice.url, 'POST', `${repo}/versions/uploads`, {
        hash: '0123456789abcdef0123456789abcdef',
        size: 100,
        destination: { path, workspace_id: 'w' },
      });
    refusedAsConflict(await begin('d'), /at d: it is a committed directory/);
    refusedAsConflict(await begin('f/g'), /f is a committed file/);
    refusedAsConflict(await begin('x/y'), /x is a staged file/);
    expect((await begin('ok')).json()).toMatchObject({ file: { status: 'awaiting_parts' } });
    expect(await staged(ws)).toEqual(['x']);
  });

  it('refuses a chunked completion whose destination collides before any job, keeping its chunks', async () => {
    const { ws } = await repoWith([{ path: 'f', contents: 'f' }]);
    const repo = ws.slice(0, ws.indexOf('/workspaces/'));
    const content = Buffer.from('chunked content');
    const hash = await oxenHash(content);
    expect((await send(sluice.url, 'PUT', `${repo}/versions/${hash}/chunks?offset=0`, { body: content })).status).toBe(
      200,
    );
    const complete = (dir: string) =>
      sendJson(sluice.url, 'POST', `${repo}/versions/${hash}/complete`, {
        files: [{ hash, file_name: 'g', dst_dir: dir, num_chunks: 1 }],
        workspace_id: 'w',
      });
    refusedAsConflict(await complete('f'), /f is a committed file/);
    // the same chunks, to a path that is free
    expect((await complete('ok')).json()).toMatchObject({ status: 'success', path: 'ok/g' });
    expect(await staged(ws)).toEqual(['ok/g']);
  });

  it('refuses a commit whose branch turned a staged path into a directory or put a file above it', async () => {
    const { repo, ws } = await repoWith([{ path: 'keep.txt', contents: 'k' }]);
    expect(
      (
        await sendJson(sluice.url, 'PUT', `${repo}/workspaces`, {
          workspace_id: 'other',
          name: 'other',
          branch_name: 'main',
        })
      ).status,
    ).toBe(200);
    const other = `${repo}/workspaces/other`;
    expect((await upload(sluice.url, `${ws}/files/n`, [part('m')])).status).toBe(200);
    expect((await upload(sluice.url, `${ws}/files/`, [part('e')])).status).toBe(200);
    expect((await upload(sluice.url, `${other}/files/`, [part('n', 'a file')])).status).toBe(200);
    expect((await upload(sluice.url, `${other}/files/e`, [part('inside')])).status).toBe(200);
    expect((await sendJson(sluice.url, 'POST', `${other}/merge/main`, commitBody)).status).toBe(200);

    const behind = await sendJson(sluice.url, 'POST', `${ws}/merge/main`, commitBody);
    expect(behind.status).toBe(409);
    expect(behind.json()).toMatchObject({
      error: { type: 'workspace_behind' },
      conflicts: [{ path: 'e' }, { path: 'n/m' }],
    });
    expect([await committedFile(repo, 'n'), await committedFile(repo, 'e/inside')]).toEqual(['a file', 'inside']);
    expect(await staged(ws)).toEqual(['e', 'n/m']);
  });
});
