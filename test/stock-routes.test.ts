import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { connectRedis, type RedisClient } from '@sluice/repository';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TokenStore } from '@sluice/api';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv, type TestEnv } from './support/test-env.js';
import { send, upload, type Reply } from './support/oxen-http.js';
import { redisSnapshot } from './support/redis-snapshot.js';
import { tempDir } from './support/temp-dirs.js';
import type { JsonBody } from './support/json-body.js';

/**
 * The routes the stock client calls beyond the workspace API: deleting a branch, deleting a
 * repository, and the merkle-tree routes of clone and push, which sluice answers 501. Real
 * HTTP, real Redis, auth on; every refusal is checked to change no key.
 */
describe('branch and repository deletion, and the routes sluice does not implement', () => {
  let sluice: SluiceProcess;
  let env: TestEnv;
  let redis: RedisClient;
  let writer: string, reader: string;
  let prefix = '';

  const call = (
    token: string | null,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> =>
    send(sluice.url, method, path, {
      // the stock client sends its branch bodies without a Content-Type
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
    });
  const ok = async (reply: Promise<Reply>): Promise<JsonBody> => {
    const answer = await reply;
    expect(answer.status, answer.body.toString()).toBe(200);
    return answer.json();
  };
  /**
   * Every key of this server's prefix and its value, to show a refusal changed nothing (on a cluster: each key's DUMP).
   */
  const snapshot = async (): Promise<Map<string, unknown>> => {
    if (!(redis instanceof Cluster)) return redisSnapshot(inject('redisUrl'), prefix);
    const keys: string[] = [];
    for (const node of redis.nodes('master')) {
      for await (const batch of node.scanStream({ match: `*${prefix}*`, count: 1000 }))
        keys.push(...(batch as string[]));
    }
    const kept = keys.filter((key) => !key.endsWith(':stalled-check')).sort();
    return new Map(
      await Promise.all(kept.map(async (key) => [key, (await redis.dumpBuffer(key))?.toString('hex')] as const)),
    );
  };
  /** Every Redis key of one repository (its hash tag). */
  const repoKeys = async (ns: string, name: string): Promise<string[]> => {
    const keys: string[] = [];
    for (const node of redis instanceof Cluster ? redis.nodes('master') : [redis]) {
      for await (const batch of node.scanStream({ match: `{${prefix}:r:${ns}/${name}}:*`, count: 1000 }))
        keys.push(...(batch as string[]));
    }
    return keys.sort();
  };
  const createRepo = (name: string, files = true) =>
    ok(
      call(writer, 'POST', '/api/repos', {
        namespace: 'ox',
        name,
        ...(files ? { files: [{ path: 'a.txt', contents: 'shared content\n' }] } : {}),
      }),
    );
  /** A refusal: its status and error code, and no key changed. */
  const refused = async (reply: () => Promise<Reply>, status: number, code: string): Promise<Reply> => {
    const before = await snapshot();
    const answer = await reply();
    expect(answer.status, answer.body.toString()).toBe(status);
    expect(answer.json()).toMatchObject({ status: 'error', error: { type: code } });
    expect(await snapshot()).toEqual(before);
    return answer;
  };

  beforeAll(async () => {
    const tokensFile = join(tempDir('sluice-stock-routes-'), 'tokens.json');
    writer = TokenStore.create(tokensFile, 'writer', { ox: 'write' });
    reader = TokenStore.create(tokensFile, 'reader', { ox: 'read' });
    env = testEnv('fs', {
      SLUICE_AUTH: 'on',
      SLUICE_AUTH_TOKENS_FILE: tokensFile,
      SLUICE_RATE_LIMIT: '0',
      SLUICE_READ_RATE_LIMIT: '0',
    });
    prefix = env.env.SLUICE_KEY_PREFIX!;
    redis = connectRedis({ urls: inject('redisUrl').split(','), cluster: inject('redisCluster') });
    sluice = await startSluice(env.env);
  });
  afterAll(async () => {
    redis?.disconnect();
    await sluice?.stop();
  });

  describe('DELETE R/branches/{name}', () => {
    const R = '/api/repos/ox/branchy';
    let head = '';
    beforeAll(async () => {
      await createRepo('branchy');
      head = (await ok(call(writer, 'GET', `${R}/branches/main`))).branch.commit_id;
      for (const name of ['dev', 'feature/a'])
        await ok(call(writer, 'POST', `${R}/branches`, { new_name: name, from_name: 'main' }));
    });

    it('deletes a branch, slashes and all, and answers it as it was', async () => {
      const gone = await ok(call(writer, 'DELETE', `${R}/branches/feature/a`));
      expect(gone).toMatchObject({
        status: 'success',
        status_message: 'resource_deleted',
        branch: { name: 'feature/a', commit_id: head },
      });
      expect((await call(writer, 'GET', `${R}/branches/feature/a`)).status).toBe(404);
      const names = (await ok(call(writer, 'GET', `${R}/branches`))).branches.map((b: { name: string }) => b.name);
      expect(names).toEqual(['dev', 'main']);
      // the commit stays: a commit id resolves after its branch is gone
      expect((await call(writer, 'GET', `${R}/commits/${head}`)).status).toBe(200);
    });

    it('keeps a workspace made on the branch, with its commit', async () => {
      await ok(call(writer, 'POST', `${R}/branches`, { new_name: 'ws-base', from_name: 'main' }));
      await ok(
        call(
          writer,
          'PUT',
          `${R}/workspaces`,
          { workspace_id: 'on-ws-base', branch_name: 'ws-base' },
          { 'content-type': 'application/json' },
        ),
      );
      await ok(call(writer, 'DELETE', `${R}/branches/ws-base`));
      expect((await ok(call(writer, 'GET', `${R}/workspaces/on-ws-base`))).workspace.commit.id).toBe(head);
    });

    it('refuses a branch that does not exist, main, the only branch, and a reader, changing nothing', async () => {
      await refused(() => call(writer, 'DELETE', `${R}/branches/nope`), 404, 'branch_not_found');
      await refused(() => call(writer, 'DELETE', `${R}/branches/main`), 409, 'branch_protected');
      await refused(() => call(reader, 'DELETE', `${R}/branches/dev`), 403, 'forbidden');
      await refused(() => call(writer, 'DELETE', '/api/repos/ox/no-such-repo/branches/dev'), 404, 'repo_not_found');
      // a repository whose only branch is not main: its first workspace made it
      await createRepo('lonely', false);
      await ok(call(writer, 'PUT', '/api/repos/ox/lonely/workspaces', { workspace_id: 'w', branch_name: 'only/one' }));
      const last = await refused(
        () => call(writer, 'DELETE', '/api/repos/ox/lonely/branches/only/one'),
        409,
        'branch_protected',
      );
      expect(last.json().status_description).toMatch(/only branch/);
    });
  });

  describe('PUT R/branches/{name}/merge and R/tree/…: 501 in the envelope', () => {
    const R = '/api/repos/ox/pushy';
    let head = '';
    beforeAll(async () => {
      await createRepo('pushy');
      head = (await ok(call(writer, 'GET', `${R}/branches/main`))).branch.commit_id;
      await ok(call(writer, 'POST', `${R}/branches`, { new_name: 'feature/x', from_name: 'main' }));
    });

    it("answers the push's merge 501 not_implemented, naming the workspace route, and moves no branch", async () => {
      for (const branch of ['main', 'feature/x']) {
        const answer = await refused(
          () =>
            call(writer, 'PUT', `${R}/branches/${branch}/merge`, {
              client_commit_id: 'c'.repeat(32),
              server_commit_id: head,
            }),
          501,
          'not_implemented',
        );
        expect(answer.json().status_description).toMatch(/workspace/);
      }
      // the branch update beside it still works
      expect((await ok(call(writer, 'PUT', `${R}/branches/feature/x`, { commit_id: head }))).branch).toEqual({
        name: 'feature/x',
        commit_id: head,
      });
      await refused(
        () =>
          call(writer, 'PUT', '/api/repos/ox/no-such-repo/branches/main/merge', {
            client_commit_id: head,
            server_commit_id: head,
          }),
        404,
        'repo_not_found',
      );
      await refused(() => call(null, 'PUT', `${R}/branches/main/merge`, {}), 401, 'unauthorized');
    });

    it("answers clone's and push's tree routes 501 before reading their bodies", async () => {
      for (const path of [
        'tree/download',
        `tree/download/${head}`,
        `tree/nodes/hash/${head}`,
        `tree/nodes/hash/${head}/download`,
        `tree/nodes/resource/${head}/a.txt`,
      ]) {
        const answer = await refused(() => call(reader, 'GET', `${R}/${path}`), 501, 'not_implemented');
        expect(answer.json().status_description).toMatch(/sluice download/);
      }
      // the tar.gz of nodes push sends is neither read nor parsed (not a 400 for its bytes)
      await refused(
        () =>
          call(writer, 'POST', `${R}/tree/nodes`, Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]), {
            'content-type': 'application/gzip',
          }),
        501,
        'not_implemented',
      );
      await refused(
        () =>
          call(writer, 'POST', `${R}/tree/nodes/missing_node_hashes`, [head], { 'content-type': 'application/json' }),
        501,
        'not_implemented',
      );
      await refused(() => call(writer, 'GET', '/api/repos/ox/no-such-repo/tree/download'), 404, 'repo_not_found');
      await refused(() => call(null, 'GET', `${R}/tree/download`), 401, 'unauthorized');
    });
  });

  describe('DELETE R', () => {
    const R = '/api/repos/ox/doomed';
    let oldCommit = '';
    beforeAll(async () => {
      await createRepo('doomed');
      await createRepo('neighbour');
      await ok(call(writer, 'POST', `${R}/branches`, { new_name: 'dev', from_name: 'main' }));
      await ok(call(writer, 'PUT', `${R}/workspaces`, { workspace_id: 'w1', branch_name: 'main', name: 'named' }));
      // an upload makes a job result, a stage, usage and content references
      const staged = await upload(
        sluice.url,
        `${R}/workspaces/w1/files/d`,
        [{ filename: 'b.txt', content: 'staged\n' }],
        { authorization: `Bearer ${writer}`, 'idempotency-key': 'again' },
      );
      expect(staged.status, staged.body.toString()).toBe(200);
      oldCommit = (await ok(call(writer, 'GET', `${R}/branches/main`))).branch.commit_id;
      // many keys under the repository's tag, so the deletion takes several batches of 500
      const pipeline = redis.pipeline();
      for (let i = 0; i < 1800; i++) pipeline.set(`{${prefix}:r:ox/doomed}:job:bulk-${i}`, '{}', 'EX', 3600);
      await pipeline.exec();
    });

    it('refuses a reader and a caller without a token, changing nothing', async () => {
      await refused(() => call(reader, 'DELETE', R), 403, 'forbidden');
      await refused(() => call(null, 'DELETE', R), 401, 'unauthorized');
      await refused(() => call(writer, 'DELETE', '/api/repos/ox/no-such-repo'), 404, 'repo_not_found');
    });

    it("removes every key of the repository, and nothing of its neighbour's or the shared content", async () => {
      expect((await repoKeys('ox', 'doomed')).length).toBeGreaterThan(1800);
      const neighbour = await repoKeys('ox', 'neighbour');
      const neighbourBefore = [...(await snapshot())].filter(([key]) => key.includes(':r:ox/neighbour}'));
      const answer = await ok(call(writer, 'DELETE', R));
      expect(answer).toMatchObject({ status: 'success', status_message: 'resource_deleted' });
      expect(await repoKeys('ox', 'doomed')).toEqual([]);
      expect(await repoKeys('ox', 'neighbour')).toEqual(neighbour);
      expect([...(await snapshot())].filter(([key]) => key.includes(':r:ox/neighbour}'))).toEqual(neighbourBefore);
      expect((await call(writer, 'GET', R)).status).toBe(404);
      const names = (await ok(call(writer, 'GET', '/api/repos/ox'))).repositories.map((r: { name: string }) => r.name);
      expect(names).not.toContain('doomed');
      expect(names).toContain('neighbour');
      // the same content, committed by the neighbour, is still there: the store is shared by hash
      const file = await call(writer, 'GET', '/api/repos/ox/neighbour/file/main/a.txt');
      expect(file.status).toBe(200);
      expect(file.body.toString()).toBe('shared content\n');
      await refused(() => call(writer, 'DELETE', R), 404, 'repo_not_found');
    });

    it('lets the name be created again, afresh', async () => {
      const created = await ok(call(writer, 'POST', '/api/repos', { namespace: 'ox', name: 'doomed' }));
      expect(created.repository.latest_commit).toBeNull();
      const shown = (await ok(call(writer, 'GET', R))).repository;
      expect(shown).toMatchObject({ is_empty: true, branch_count: 0 });
      expect((await ok(call(writer, 'GET', `${R}/branches`))).branches).toEqual([]);
      expect((await ok(call(writer, 'GET', `${R}/workspaces`))).workspaces).toEqual([]);
      expect((await call(writer, 'GET', `${R}/workspaces/named`)).status).toBe(404);
      expect((await call(writer, 'GET', `${R}/commits/${oldCommit}`)).status).toBe(404);
      // the idempotency key of an upload to the deleted repository names a new upload here
      await ok(call(writer, 'PUT', `${R}/workspaces`, { workspace_id: 'w1', branch_name: 'main' }));
      const again = await upload(
        sluice.url,
        `${R}/workspaces/w1/files/d`,
        [{ filename: 'b.txt', content: 'afresh\n' }],
        { authorization: `Bearer ${writer}`, 'idempotency-key': 'again' },
      );
      expect(again.status, again.body.toString()).toBe(200);
      const file = await call(writer, 'GET', `${R}/workspaces/w1/files/d/b.txt`);
      expect(file.body.toString()).toBe('afresh\n');
    });

    it('a deletion cut short keeps the name reserved until DELETE is sent again', async () => {
      await createRepo('cut-short');
      // what a process that died mid-deletion leaves: the mark, no record, some keys
      await redis.set(`{${prefix}:r:ox/cut-short}:erasing`, '1');
      await redis.del(`{${prefix}:r:ox/cut-short}:meta`);
      expect((await call(writer, 'GET', '/api/repos/ox/cut-short')).status).toBe(404);
      await refused(
        () =>
          call(
            writer,
            'POST',
            '/api/repos',
            { namespace: 'ox', name: 'cut-short' },
            { 'content-type': 'application/json' },
          ),
        409,
        'repo_being_deleted',
      );
      await ok(call(writer, 'DELETE', '/api/repos/ox/cut-short'));
      expect(await repoKeys('ox', 'cut-short')).toEqual([]);
      await createRepo('cut-short');
      expect(
        (await ok(call(writer, 'GET', '/api/repos/ox/cut-short/branches'))).branches.map(
          (b: { name: string }) => b.name,
        ),
      ).toEqual(['main']);
    });
  });
});
