import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { repoRoot } from './support/repo-root.js';
import { listKeys, testEnv, type TestEnv } from './support/test-env.js';
import { send, upload, type Reply } from './support/oxen-http.js';
import { redisSnapshot } from './support/redis-snapshot.js';
import { tempDir } from './support/temp-dirs.js';
import type { JsonBody } from './support/json-body.js';

function createToken(tokensFile: string, name: string, scope: string): string {
  const result = spawnSync(
    process.execPath,
    [join(repoRoot(), 'apps/sluice/dist/main.js'), 'token', 'create', '--name', name, '--scope', scope],
    {
      env: { PATH: process.env.PATH, SLUICE_AUTH_TOKENS_FILE: tokensFile },
      encoding: 'utf8',
    },
  );
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}

/**
 * Two tenants on one server, each with a token scoped to its own namespace. Tenant alpha knows
 * everything about beta's content that could leak (hashes, commit ids, the tree hash, branch
 * names, job ids, idempotency keys) and tries every route with it: nothing of beta's comes back,
 * and no refused request changes anything in Redis or the store.
 */
describe('two tenants: alpha attacks beta by hash, commit id, tree hash, branch and job id', () => {
  let sluice: SluiceProcess;
  let env: TestEnv;
  let alpha: string, beta: string;
  const secret = 'PIN=4321\n';
  let secretHash = '';
  let betaCommit = '';
  let betaTree = '';
  let betaJob = '';
  const A = '/api/repos/alpha/mine';
  const B = '/api/repos/beta/secrets';

  const call = (
    token: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> =>
    send(sluice.url, method, path, {
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const pollJob = async (token: string, location: string): Promise<JsonBody> => {
    for (let i = 0; i < 600; i++) {
      const job = (await call(token, 'GET', location)).json().job;
      if (job?.state === 'completed' || job?.state === 'failed') return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${location} did not finish`);
  };

  beforeAll(async () => {
    const tokensFile = join(tempDir('sluice-tenants-'), 'tokens.json');
    alpha = createToken(tokensFile, 'alpha', 'alpha:write');
    beta = createToken(tokensFile, 'beta', 'beta:write');
    env = testEnv('fs', {
      SLUICE_AUTH: 'on',
      SLUICE_AUTH_TOKENS_FILE: tokensFile,
      SLUICE_RATE_LIMIT: '0',
      SLUICE_READ_RATE_LIMIT: '0',
    });
    sluice = await startSluice(env.env);
    secretHash = await oxenHash(secret);

    // beta: a committed secret, a branch, a finished job
    expect((await call(beta, 'POST', '/api/repos', { namespace: 'beta', name: 'secrets' })).status).toBe(200);
    expect((await call(beta, 'PUT', `${B}/workspaces`, { workspace_id: 'w1', branch_name: 'main' })).status).toBe(200);
    const staged = await upload(
      sluice.url,
      `${B}/workspaces/w1/files/vault`,
      [{ filename: 'pin.txt', content: secret, gzip: true }],
      { authorization: `Bearer ${beta}`, prefer: 'respond-async', 'idempotency-key': 'shared-key' },
    );
    betaJob = staged.headers['x-sluice-job-id'] as string;
    expect((await pollJob(beta, staged.headers.location as string)).state).toBe('completed');
    const committed = await call(beta, 'POST', `${B}/workspaces/w1/commit/main`, {
      message: 'secret',
      author: 'b',
      email: 'b@example.com',
    });
    expect(committed.status).toBe(200);
    betaCommit = committed.json().commit.id;
    betaTree = (await call(beta, 'GET', `${B}/dir/main/`)).json().dir.hash;
    expect((await call(beta, 'POST', `${B}/branches`, { new_name: 'beta-only', from_name: 'main' })).status).toBe(200);

    // alpha: a repository with a workspace of its own
    expect(
      (
        await call(alpha, 'POST', '/api/repos', {
          namespace: 'alpha',
          name: 'mine',
          files: [{ path: 'a.txt', contents: 'alpha\n' }],
        })
      ).status,
    ).toBe(200);
    expect((await call(alpha, 'PUT', `${A}/workspaces`, { workspace_id: 'wa', branch_name: 'main' })).status).toBe(200);
  });
  afterAll(async () => sluice?.stop());

  it("refuses every route of beta's namespace to alpha's token", async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', B],
      ['GET', `${B}/branches`],
      ['GET', `${B}/branches/main`],
      ['GET', `${B}/file/main/vault/pin.txt`],
      ['GET', `${B}/dir/main/`],
      ['GET', `${B}/commits/${betaCommit}`],
      ['GET', `${B}/commits/history/main`],
      ['GET', `${B}/revisions/main`],
      ['GET', `${B}/workspaces`],
      ['PUT', `${B}/workspaces`, { workspace_id: 'x', branch_name: 'main' }],
      ['POST', `${B}/branches`, { new_name: 'x', from_name: 'main' }],
      ['POST', `${B}/workspaces/w2/stage_hashes`, { files: [{ path: 'p', hash: secretHash }] }],
      ['DELETE', `${B}/workspaces/w1`],
      ['GET', '/api/repos/beta'],
    ];
    for (const [method, path, body] of routes) {
      const reply = await call(alpha, method, path, body);
      expect(reply.status, `${method} ${path}`).toBe(403);
      expect(reply.body.toString()).not.toContain(secret.trim());
    }
  });

  it("gets nothing of beta's through its own repository, and every refusal changes nothing", async () => {
    const before = await redisSnapshot(inject('redisUrl'), env.env.SLUICE_KEY_PREFIX!);
    const store = await env.store();
    const objectsBefore = await listKeys(store, '');
    // stage by hash: beta's hash among 9,000 candidates finds nothing
    const candidates = await Promise.all(Array.from({ length: 4000 }, (_, i) => oxenHash(`PIN=${1000 + i}\n`)));
    const guessed = await call(alpha, 'POST', `${A}/workspaces/wa/stage_hashes`, {
      files: candidates.map((hash, i) => ({ path: `guess/${i}.txt`, hash })),
    });
    expect(guessed.status).toBe(200);
    expect(guessed.json().paths).toEqual([]);
    expect(guessed.json().missing).toHaveLength(4000);
    const refusals: Array<[string, string, unknown?, number?]> = [
      // content by hash
      [
        'POST',
        `${A}/versions/${secretHash}/complete`,
        { files: [{ hash: secretHash, file_name: 'stolen.txt', dst_dir: '', num_chunks: 1 }], workspace_id: 'wa' },
        400,
      ],
      [
        'POST',
        `${A}/versions/${secretHash}/complete`,
        { files: [{ hash: secretHash, file_name: 'stolen.txt', dst_dir: '', upload_results: [] }], workspace_id: 'wa' },
        404,
      ],
      // commit ids and the tree hash of another repository, on every route that takes a revision
      ['GET', `${A}/commits/${betaCommit}`, undefined, 404],
      ['POST', `${A}/commits/${betaCommit}/complete`, { branch: { name: 'main', commit_id: betaCommit } }, 404],
      ['GET', `${A}/file/${betaCommit}/vault/pin.txt`, undefined, 404],
      ['GET', `${A}/dir/${betaCommit}/vault`, undefined, 404],
      ['GET', `${A}/dir/${betaTree}/`, undefined, 404],
      ['GET', `${A}/file/${betaTree}/vault/pin.txt`, undefined, 404],
      ['GET', `${A}/commits/history/${betaCommit}`, undefined, 404],
      ['GET', `${A}/revisions/${betaCommit}`, undefined, 404],
      ['POST', `${A}/branches`, { new_name: 'stolen', commit_id: betaCommit }, 404],
      ['POST', `${A}/branches`, { new_name: 'tree', commit_id: betaTree }, 404],
      ['PUT', `${A}/branches/main`, { commit_id: betaCommit }, 404],
      // beta's branch names mean nothing in alpha's repository
      ['GET', `${A}/file/beta-only/vault/pin.txt`, undefined, 404],
      ['GET', `${A}/dir/beta-only/`, undefined, 404],
      ['POST', `${A}/branches`, { new_name: 'copy', from_name: 'beta-only' }, 404],
      // job ids: beta's, and the queue's own bookkeeping names
      ['GET', '/api/jobs/meta', undefined, 404],
      ['GET', '/api/jobs/stalled-check', undefined, 404],
      ['GET', '/api/jobs/id', undefined, 404],
    ];
    for (const [method, path, body, status] of refusals) {
      const reply = await call(alpha, method, path, body);
      expect(reply.status, `${method} ${path}: ${reply.body}`).toBe(status);
      expect(reply.json().status).toBe('error');
      expect(reply.body.toString()).not.toContain(secret.trim());
    }
    // beta's job (its id derived from the idempotency key) is answered as one that does not exist
    const job = await call(alpha, 'GET', `/api/jobs/${betaJob}`);
    const none = await call(alpha, 'GET', `/api/jobs/idem-${'0'.repeat(40)}`);
    expect(betaJob).toMatch(/^idem-/);
    expect([job.status, none.status]).toEqual([404, 404]);
    expect(job.json().error.type).toBe('job_not_found');
    expect(job.body.toString().replaceAll(betaJob, 'ID')).toBe(
      none.body.toString().replaceAll(`idem-${'0'.repeat(40)}`, 'ID'),
    );
    expect(await redisSnapshot(inject('redisUrl'), env.env.SLUICE_KEY_PREFIX!)).toEqual(before);
    expect(await listKeys(store, '')).toEqual(objectsBefore);
    const staged = (await call(alpha, 'GET', `${A}/workspaces/wa/changes?page_size=100`)).json().staged;
    expect(staged.added_files.total_entries).toBe(0);
    expect((await call(alpha, 'GET', `${A}/branches`)).json().branches.map((b: { name: string }) => b.name)).toEqual([
      'main',
    ]);
  });

  it('answers 403 before a body is read or judged, and reads a text/plain body as JSON', async () => {
    const before = await redisSnapshot(inject('redisUrl'), env.env.SLUICE_KEY_PREFIX!);
    const text = (token: string, method: string, path: string, body: string | Buffer) =>
      send(sluice.url, method, path, {
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
        body,
      });
    const refused: Array<[string, string, string]> = [
      // bodies the schema would refuse (400) if it judged them first
      ['PUT', `${B}/workspaces`, JSON.stringify({ workspace_id: 'x', branch_name: 'main' })],
      ['PUT', `${B}/workspaces`, '{"workspace_id": 5}'],
      ['POST', `${B}/workspaces/w1/stage_hashes`, JSON.stringify({ files: [{ path: 'p', hash: secretHash }] })],
      ['POST', `${B}/branches`, 'not json at all'],
      ['POST', '/api/repos', JSON.stringify({ namespace: 'beta', name: 5 })],
    ];
    for (const [method, path, body] of refused) {
      const reply = await text(alpha, method, path, body);
      expect(reply.status, `${method} ${path} ${body}: ${reply.body}`).toBe(403);
      expect(reply.json()).toMatchObject({ status: 'error', error: { type: 'forbidden' } });
    }
    // larger than any JSON body may be: refused for its size into beta (403) and into alpha's own (413)
    const huge = Buffer.alloc(3 * 1024 * 1024, 0x20);
    expect((await text(alpha, 'PUT', `${B}/workspaces`, huge)).status).toBe(403);
    const tooLarge = await text(alpha, 'PUT', `${A}/workspaces`, huge);
    expect(tooLarge.status, tooLarge.body.toString()).toBe(413);
    expect(tooLarge.json()).toMatchObject({ status: 'error', error: { type: 'request_too_large' } });
    // an invalid token is 401 whatever the body
    expect((await text(`${alpha}x`, 'PUT', `${A}/workspaces`, '{"workspace_id": 5}')).status).toBe(401);
    expect(await redisSnapshot(inject('redisUrl'), env.env.SLUICE_KEY_PREFIX!)).toEqual(before);
    // the control: text/plain JSON into alpha's own repository is read as JSON
    const own = await text(
      alpha,
      'PUT',
      `${A}/workspaces`,
      JSON.stringify({ workspace_id: 'plain', branch_name: 'main' }),
    );
    expect(own.status, own.body.toString()).toBe(200);
    expect(own.json().workspace.id).toBe('plain');
  });

  it(
    'stages by hash what its own repository references (the control: ' + 'the refusals above are not vacuous)',
    async () => {
      const own = await oxenHash('alpha\n');
      const reply = await call(alpha, 'POST', `${A}/workspaces/wa/stage_hashes`, {
        files: [
          { path: 'copy.txt', hash: own },
          { path: 'stolen.txt', hash: secretHash },
        ],
      });
      expect(reply.json()).toMatchObject({ paths: ['copy.txt'], missing: ['stolen.txt'] });
      const mine = await call(beta, 'PUT', `${B}/workspaces`, { workspace_id: 'w3', branch_name: 'main' });
      expect(mine.status).toBe(200);
      expect(
        (
          await call(beta, 'POST', `${B}/workspaces/w3/stage_hashes`, {
            files: [{ path: 'again.txt', hash: secretHash }],
          })
        ).json().paths,
      ).toEqual(['again.txt']);
    },
  );

  it(
    'counts as deduplicated only content its own repository ' + "referenced or the request repeats, not beta's",
    async () => {
      expect((await call(alpha, 'PUT', `${A}/workspaces`, { workspace_id: 'wd', branch_name: 'main' })).status).toBe(
        200,
      );
      const files = [
        ['guess.txt', secret],
        ['own.txt', 'alpha\n'],
        ['own-again.txt', 'alpha\n'],
        ['fresh.txt', 'fresh\n'],
        ['fresh-again.txt', 'fresh\n'],
      ];
      const reply = await upload(
        sluice.url,
        `${A}/workspaces/wd/files/d`,
        files.map(([filename, content]) => ({ filename, content, gzip: true })),
        { authorization: `Bearer ${alpha}` },
      );
      expect(reply.status).toBe(200);
      // the secret is stored (beta's), yet alpha learns nothing of it: own, own-again and fresh-again only
      expect(reply.json()).toMatchObject({ paths: files.map(([name]) => `d/${name}`), deduplicated: 3 });
    },
  );

  it("keeps an idempotency key to its own workspace: the same key from alpha is a new job of alpha's", async () => {
    const reply = await upload(
      sluice.url,
      `${A}/workspaces/wa/files/mine`,
      [{ filename: 'x.txt', content: 'x', gzip: true }],
      { authorization: `Bearer ${alpha}`, prefer: 'respond-async', 'idempotency-key': 'shared-key' },
    );
    expect(reply.status).toBe(202);
    expect(reply.headers['x-sluice-job-id']).not.toBe(betaJob);
    const job = await pollJob(alpha, reply.headers.location as string);
    expect(job.paths).toEqual(['mine/x.txt']);
  });
});
