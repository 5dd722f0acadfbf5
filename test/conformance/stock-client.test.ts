import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { startSluice, type SluiceProcess } from '../support/sluice-process.js';
import { testEnv } from '../support/test-env.js';
import { upload, waitForJob } from '../support/oxen-http.js';
import { expectCommit, expectPagination, expectStatusMessage, expectStrictEntry, StockClient } from './stock-client.js';

/**
 * Conformance: each workspace action of the 0.54 Oxen client, replayed as
 * docs/api.md#compatibility-with-the-stock-oxen-client lists its requests (headers present and
 * absent, names where it uses names), every answer checked the way the client parses it. One test
 * per action; they share one repository, in the client's order.
 */
describe('the stock Oxen client, action by action', () => {
  let sluice: SluiceProcess;
  let client: StockClient;
  const wsName = 'conformance';
  let W: string;

  beforeAll(async () => {
    sluice = await startSluice(testEnv('fs').env);
    client = new StockClient(sluice.url, 'ox', 'stock');
    W = client.W(wsName);
    const created = await client.json('POST', '/api/repos', {
      namespace: 'ox',
      name: 'stock',
      is_public: null,
      host: null,
      scheme: null,
      root_commit: null,
      description: null,
      files: [{ path: 'README.md', contents: '# stock\n', user: { name: 'Ox', email: 'ox@example.com' } }],
      storage_kind: null,
    });
    expect(created.status).toBe(200);
  });
  afterAll(async () => {
    client?.close();
    await sluice?.stop();
  });

  it("opens the remote: min_version, version, the repository, and Python's revision lookup", async () => {
    expect(expectStatusMessage(await client.get('/api/min_version')).version).toMatch(/^\d+\.\d+\.\d+$/);
    expectStatusMessage(await client.get('/api/version'));
    const repo = expectStatusMessage(await client.get(client.R)).repository;
    expect(repo).toMatchObject({ namespace: 'ox', name: 'stock', is_empty: false, storage_kind: expect.any(String) });
    const revision = expectStatusMessage(await client.get(`${client.R}/revisions/main`)).resource;
    expect(revision).toMatchObject({
      workspace: null,
      branch: { name: 'main', commit_id: revision.commit.id },
      version: 'main',
    });
    expectCommit(revision.commit);
    const byId = expectStatusMessage(await client.get(`${client.R}/revisions/${revision.commit.id}`)).resource;
    expect(byId).toMatchObject({ branch: null, commit: { id: revision.commit.id } });
    expect((await client.get(`${client.R}/revisions/no-such-branch`)).status).toBe(404);
    expect((await client.get('/api/repos/ox/missing')).status).toBe(404);
  });

  it('gets or creates a named workspace, then names it by name', async () => {
    expect((await client.get(W)).status).toBe(404);
    const body = {
      workspace_id: `workspace-${randomUUID()}`,
      branch_name: 'main',
      resource_path: '/',
      entity_type: 'user',
      name: wsName,
      force: true,
    };
    const created = expectStatusMessage(await client.json('PUT', `${client.R}/workspaces`, body));
    expect(created.status_message).toBe('resource_created');
    expect(created.workspace).toMatchObject({ id: body.workspace_id, name: wsName });
    expectCommit(created.workspace.commit);
    const again = expectStatusMessage(
      await client.json('PUT', `${client.R}/workspaces`, { ...body, workspace_id: `workspace-${randomUUID()}` }),
    );
    expect(again.status_message).toBe('resource_found');
    expect(expectStatusMessage(await client.get(W)).workspace.name).toBe(wsName);
  });

  it('adds small files: validate, then gzip parts into a directory and into an empty one', async () => {
    expectStatusMessage(await client.json('POST', `${W}/validate`, { size: 1234 }));
    const files = [
      { filename: 'a.csv', content: 'x,y\n1,2\n' },
      { filename: 'nested/b.txt', content: 'bee\n' },
      { filename: 'ünïcode name.txt', content: 'utf-8 names stay as sent\n' },
    ];
    const added = expectStatusMessage(await client.addFiles(`${W}/files/data`, files));
    expect(added.paths).toEqual(['data/a.csv', 'data/nested/b.txt', 'data/ünïcode name.txt']);
    const root = expectStatusMessage(await client.addFiles(`${W}/files/`, [{ filename: 'top.txt', content: 'top\n' }]));
    expect(root.paths).toEqual(['top.txt']);
    const dot = expectStatusMessage(await client.addFiles(`${W}/files/.`, [{ filename: 'dot.txt', content: 'dot\n' }]));
    expect(dot.paths).toEqual(['dot.txt']);
  });

  it(
    'adds a 25 MiB file in 10 MiB chunks: out of order, one chunk twice, ' +
      'completion as serde writes it (upload_results null, no Content-Type)',
    async () => {
      const content = Buffer.concat([randomBytes(20 * 1024 * 1024), Buffer.alloc(5 * 1024 * 1024, 'a')]);
      const hash = await oxenHash(content);
      const segment = 10 * 1024 * 1024;
      const offsets = [0, segment, 2 * segment];
      expectStatusMessage(
        await client.json('POST', `${client.R}/versions/${hash}/create`, {
          hash,
          file_name: 'big.bin',
          size: content.length,
          dst_dir: 'large',
        }),
      );
      const put = (offset: number) =>
        client.raw(
          'PUT',
          `${client.R}/versions/${hash}/chunks?offset=${offset}`,
          content.subarray(offset, offset + segment),
        );
      const replies = await Promise.all([put(offsets[2]!), put(offsets[0]!), put(offsets[1]!), put(offsets[0]!)]);
      for (const reply of replies) expect(reply.status, reply.body.toString()).toBeLessThan(300);
      const sent = client.sent.filter((r) => r.path.includes('/chunks?'));
      expect(sent.every((r) => r.headers['content-type'] === undefined)).toBe(true);
      // serde writes the struct's fields in order and `None` as null: upload_results is there, null
      const body =
        `{"files":[{"hash":"${hash}","file_name":"big.bin","dst_dir":"large","num_chunks":3,` +
        `"upload_results":null}],"workspace_id":"${wsName}"}`;
      const complete = await client.send('POST', `${client.R}/versions/${hash}/complete`, {
        kind: 'raw',
        bytes: Buffer.from(body),
      });
      expectStatusMessage(complete);
      const status = expectStatusMessage(await client.get(`${W}/changes/large?page=1&page_size=10`));
      expect(status.staged.added_files.entries.map((e: { filename: string }) => e.filename)).toEqual(['large/big.bin']);
      expect(status.staged.added_files.entries[0]).toMatchObject({ hash, size: content.length });
    },
  );

  it('reads the workspace status, from the root with an empty path and under a directory', async () => {
    const root = expectStatusMessage(await client.get(`${W}/changes/?page=1&page_size=100`));
    for (const list of ['added_files', 'modified_files', 'removed_files']) expectPagination(root.staged[list]);
    const names = root.staged.added_files.entries.map((e: { filename: string }) => e.filename).sort();
    expect(names).toEqual([
      'data/a.csv',
      'data/nested/b.txt',
      'data/ünïcode name.txt',
      'dot.txt',
      'large/big.bin',
      'top.txt',
    ]);
    for (const entry of root.staged.added_files.entries) expectStrictEntry(entry);
    const paged = expectStatusMessage(await client.get(`${W}/changes/data?page=2&page_size=2`));
    expect(paged.staged.added_files).toMatchObject({ page_number: 2, page_size: 2, total_pages: 2, total_entries: 3 });
  });

  it('moves a staged file with a body that has no Content-Type', async () => {
    const moved = await client.text('PATCH', `${W}/files/top.txt`, { new_path: 'moved/top.txt' });
    expectStatusMessage(moved);
    const names = expectStatusMessage(
      await client.get(`${W}/changes/?page=1&page_size=100`),
    ).staged.added_files.entries.map((e: { filename: string }) => e.filename);
    expect(names).toContain('moved/top.txt');
    expect(names).not.toContain('top.txt');
  });

  it(
    "removes files: Python's DELETE W/files/{path}, the CLI's DELETE W/staged list and DELETE W/files for " +
      'committed files',
    async () => {
      expectStatusMessage(await client.send('DELETE', `${W}/files/dot.txt`));
      expectStatusMessage(await client.json('DELETE', `${W}/staged`, ['data/ünïcode name.txt']));
      const removed = expectStatusMessage(await client.json('DELETE', `${W}/files`, ['README.md']));
      expect(removed.paths).toEqual(['README.md']);
      const staged = expectStatusMessage(await client.get(`${W}/changes/?page=1&page_size=100`)).staged;
      const added = staged.added_files.entries.map((e: { filename: string }) => e.filename);
      expect(added).not.toContain('dot.txt');
      expect(added).not.toContain('data/ünïcode name.txt');
      expect(staged.removed_files.entries.map((e: { filename: string }) => e.filename)).toEqual(['README.md']);
    },
  );

  let commitId = '';
  it(
    'commits: action hooks, the deprecated commit route, ' +
      'completion without a Content-Type, then 422 with nothing staged',
    async () => {
      const mergeable = expectStatusMessage(await client.get(`${W}/merge/main`));
      expect(mergeable.is_mergeable).toBe(true);
      expect((await client.send('POST', `${client.R}/action/started/push_workspace`)).status).toBe(200);
      const committed = expectStatusMessage(
        await client.json('POST', `${W}/commit/main`, {
          message: 'stock client commit',
          author: 'Ox',
          email: 'ox@example.com',
        }),
      );
      expectCommit(committed.commit);
      commitId = committed.commit.id;
      const complete = await client.text('POST', `${client.R}/commits/${commitId}/complete`, {
        branch: { name: 'main', commit_id: commitId },
      });
      expectStatusMessage(complete);
      expect((await client.send('POST', `${client.R}/action/completed/push_workspace`)).status).toBe(200);
      const nothing = await client.json('POST', `${W}/commit/main`, {
        message: 'again',
        author: 'Ox',
        email: 'ox@example.com',
      });
      expect(nothing.status).toBe(422);
      expectStatusMessage(nothing, 'error');
    },
  );

  it(
    'manages branches with bodies that have no Content-Type: ' +
      'from_name gets or creates, a commit_id naming another commit is an error',
    async () => {
      const head = expectStatusMessage(await client.get(`${client.R}/branches/main`)).branch.commit_id;
      expect(head).toBe(commitId);
      const parent = expectStatusMessage(await client.get(`${client.R}/commits/${commitId}`)).commit.parent_ids[0];
      const fromName = expectStatusMessage(
        await client.text('POST', `${client.R}/branches`, { new_name: 'feature/x', from_name: 'main' }),
      );
      expect(fromName.branch).toEqual({ name: 'feature/x', commit_id: commitId });
      const fromCommit = expectStatusMessage(
        await client.text('POST', `${client.R}/branches`, { new_name: 'old', commit_id: parent }),
      );
      expect(fromCommit.branch).toEqual({ name: 'old', commit_id: parent });
      const same = expectStatusMessage(
        await client.text('POST', `${client.R}/branches`, { new_name: 'old', commit_id: parent }),
      );
      expect(same.status_message).toBe('resource_found');
      // get or create, as upstream: an existing name asked "from main" is found, and stays where it is
      const found = expectStatusMessage(
        await client.text('POST', `${client.R}/branches`, { new_name: 'old', from_name: 'main' }),
      );
      expect(found.status_message).toBe('resource_found');
      expect(found.branch).toEqual({ name: 'old', commit_id: parent });
      const fromMissing = expectStatusMessage(
        await client.text('POST', `${client.R}/branches`, { new_name: 'old', from_name: 'no-such-branch' }),
      );
      expect(fromMissing.branch).toEqual({ name: 'old', commit_id: parent });
      const clash = await client.text('POST', `${client.R}/branches`, { new_name: 'old', commit_id: commitId });
      expect(clash.status).toBe(409);
      expectStatusMessage(clash, 'error');
      expect(expectStatusMessage(await client.get(`${client.R}/branches/old`)).branch.commit_id).toBe(parent);
      expectStatusMessage(await client.text('PUT', `${client.R}/branches/old`, { commit_id: commitId }));
      expect(expectStatusMessage(await client.get(`${client.R}/branches/old`)).branch.commit_id).toBe(commitId);
      expect((await client.get(`${client.R}/branches/nope`)).status).toBe(404);
      const names = expectStatusMessage(await client.get(`${client.R}/branches`)).branches.map(
        (b: { name: string }) => b.name,
      );
      expect(names).toEqual(['feature/x', 'main', 'old']);
    },
  );

  it("lists a directory in upstream's strict shape, a page at a time", async () => {
    const root = expectStatusMessage(await client.get(`${client.R}/dir/main/?page=1&page_size=100`));
    expect(Object.keys(root).sort()).toEqual([
      'dir',
      'entries',
      'metadata',
      'oxen_version',
      'page_number',
      'page_size',
      'resource',
      'status',
      'status_message',
      'total_entries',
      'total_pages',
    ]);
    expectPagination(root);
    expectStrictEntry(root.dir);
    expect(root.dir.is_dir).toBe(true);
    for (const entry of root.entries) expectStrictEntry(entry);
    expect(root.entries.map((e: { filename: string }) => e.filename).sort()).toEqual(['data', 'large', 'moved']);
    const data = expectStatusMessage(await client.get(`${client.R}/dir/main/data?page=1&page_size=1`));
    expect(data).toMatchObject({ page_size: 1, page_number: 1, total_pages: 2, total_entries: 2 });
    expect(data.entries).toHaveLength(1);
    expect(data.entries[0]).toMatchObject({ filename: 'a.csv', extension: 'csv', is_dir: false, size: 8 });
    const byBranchWithSlash = expectStatusMessage(await client.get(`${client.R}/dir/feature/x/moved`));
    expect(byBranchWithSlash.entries.map((e: { filename: string }) => e.filename)).toEqual(['top.txt']);
  });

  it('reads the log newest first, paginated, and of one path', async () => {
    const log = expectStatusMessage(await client.get(`${client.R}/commits/history/main?page=1&page_size=10`));
    expectPagination(log);
    expect(log.commits.map((c: { message: string }) => c.message)).toEqual(['stock client commit', 'Initial commit']);
    for (const commit of log.commits) expectCommit(commit);
    const pageTwo = expectStatusMessage(await client.get(`${client.R}/commits/history/main?page=2&page_size=1`));
    expect(pageTwo).toMatchObject({ page_number: 2, page_size: 1, total_pages: 2, total_entries: 2 });
    expect(pageTwo.commits.map((c: { message: string }) => c.message)).toEqual(['Initial commit']);
    const ofReadme = expectStatusMessage(await client.get(`${client.R}/commits/history/main/README.md`));
    expect(ofReadme.commits.map((c: { message: string }) => c.message)).toEqual([
      'stock client commit',
      'Initial commit',
    ]);
    const ofCsv = expectStatusMessage(await client.get(`${client.R}/commits/history/main/data/a.csv`));
    expect(ofCsv.commits.map((c: { id: string }) => c.id)).toEqual([commitId]);
    expectCommit(expectStatusMessage(await client.get(`${client.R}/commits/${commitId}`)).commit);
  });

  it('downloads a committed file with its length and type, by branch and by commit id', async () => {
    for (const revision of ['main', commitId]) {
      const file = await client.get(`${client.R}/file/${revision}/data/a.csv`);
      expect(file.status).toBe(200);
      expect(file.body.toString()).toBe('x,y\n1,2\n');
      expect(file.headers['content-length']).toBe('8');
      expect(file.headers['content-type']).toMatch(/text\/csv|text\/plain/);
    }
  });

  it('stages a legitimately compressible file (5 MB at ~500:1) with its hash, and fails only a real bomb', async () => {
    // 1,000 rows of 5,000 columns, nearly all empty: ~700:1 at gzip's default level
    const rows = Array.from(
      { length: 1000 },
      (_, i) => (i === 7 ? '7,value'.padEnd(4999, ',') : ','.repeat(4999)) + '\n',
    ).join('');
    const sparse = Buffer.from(rows);
    const gzipped = gzipSync(sparse);
    expect(sparse.length / gzipped.length).toBeGreaterThan(500);
    const bomb = gzipSync(Buffer.alloc(11 * 1024 * 1024)); // ~11 KiB that pass 10 MiB at ~1000:1
    const added = expectStatusMessage(
      await client.addFiles(`${W}/files/sparse`, [
        { filename: 'sparse.csv', content: sparse, gzipped },
        { filename: 'bomb.bin', content: Buffer.alloc(0), gzipped: bomb },
        { filename: 'next.txt', content: 'after the bomb\n' },
      ]),
    );
    // the client reconciles by diffing what it sent with `paths`: the bomb alone is missing
    expect(added.paths).toEqual(['sparse/sparse.csv', 'sparse/next.txt']);
    const entries = expectStatusMessage(await client.get(`${W}/changes/sparse?page=1&page_size=10`)).staged.added_files
      .entries;
    expect(entries.find((e: { filename: string }) => e.filename === 'sparse/sparse.csv')).toMatchObject({
      hash: await oxenHash(sparse),
      size: sparse.length,
    });
    // asked for a job (a sluice extension), the bomb's own result names the limit
    const accepted = await upload(
      sluice.url,
      `${W}/files/sparse`,
      [{ filename: 'bomb.bin', content: Buffer.alloc(11 * 1024 * 1024), gzip: true }],
      { prefer: 'respond-async' },
    );
    const job = await waitForJob(sluice.url, accepted.headers.location as string);
    expect(job.files[0].error).toMatchObject({
      code: 'inflate_ratio',
      message: expect.stringMatching(/SLUICE_MAX_INFLATE_RATIO/),
    });
  });

  it('sent only the headers the stock client sends', () => {
    for (const request of client.sent) {
      expect(
        Object.keys(request.headers).filter(
          (h) => !['user-agent', 'accept', 'content-type', 'content-length'].includes(h),
        ),
      ).toEqual([]);
      expect(request.headers['user-agent']).toMatch(/^Oxen\/0\.54\.0 /);
    }
    expect(
      client.sent.some(
        (r) => r.method === 'POST' && r.path.endsWith('/complete') && r.headers['content-type'] === undefined,
      ),
    ).toBe(true);
  });
});

describe("upstream's own cap: SLUICE_MAX_INFLATE_BYTES at 10 MiB", () => {
  let sluice: SluiceProcess;
  let client: StockClient;
  beforeAll(async () => {
    sluice = await startSluice(testEnv('fs', { SLUICE_MAX_INFLATE_BYTES: String(10 * 1024 * 1024) }).env);
    client = new StockClient(sluice.url, 'ox', 'capped');
    await client.json('POST', '/api/repos', { namespace: 'ox', name: 'capped' });
    await client.json('PUT', `${client.R}/workspaces`, { workspace_id: 'w', branch_name: 'main' });
  });
  afterAll(async () => {
    client?.close();
    await sluice?.stop();
  });

  it('stages any ratio up to the cap and fails what inflates past it, naming the limit', async () => {
    const zeros = Buffer.alloc(9 * 1024 * 1024);
    const added = expectStatusMessage(
      await client.addFiles(`${client.W('w')}/files/`, [
        { filename: 'nine-mib-of-zeros.bin', content: zeros },
        {
          filename: 'twenty-mib-of-zeros.bin',
          content: Buffer.alloc(0),
          gzipped: gzipSync(Buffer.alloc(20 * 1024 * 1024)),
        },
      ]),
    );
    expect(added.paths).toEqual(['nine-mib-of-zeros.bin']);
    const accepted = await upload(
      sluice.url,
      `${client.W('w')}/files/`,
      [{ filename: 'bomb.bin', content: Buffer.alloc(20 * 1024 * 1024), gzip: true }],
      { prefer: 'respond-async' },
    );
    const job = await waitForJob(sluice.url, accepted.headers.location as string);
    expect(job.files[0].error).toMatchObject({
      code: 'inflate_limit',
      message: expect.stringMatching(/SLUICE_MAX_INFLATE_BYTES/),
    });
  });
});
