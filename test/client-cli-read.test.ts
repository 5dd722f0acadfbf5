import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { freePort } from './support/free-port.js';
import { send } from './support/oxen-http.js';
import { tempDir } from './support/temp-dirs.js';
import { cli, createToken, sluiceCli } from './support/sluice-cli.js';
import { spawnTracked } from './support/test-processes.js';
import type { JsonBody } from './support/json-body.js';

/** A line of `sluice ls`: type, size in bytes, name. */
const row = (type: string, size: number, name: string) => `${type.padEnd(4)}  ${String(size).padStart(12)}  ${name}`;
const lines = (text: string) => text.trim().split('\n');
const jsonLines = (text: string) => lines(text).map((line) => JSON.parse(line) as JsonBody);

/**
 * `sluice ls`, `log`, `diff` and `status` run as processes against a sluice with auth on: three
 * commits on one branch (a push, a push that changes and adds, a removal), then every read of them.
 */
describe('the sluice CLI reads a repository: ls, log, diff, status', () => {
  let sluice: SluiceProcess;
  let remote: string;
  let ox = '';
  let other = '';
  const commits: string[] = [];
  const run = (args: string[], token = ox) => sluiceCli(args, token);
  const api = (method: string, path: string, body?: unknown) =>
    send(sluice.url, method, path, {
      headers: { authorization: `Bearer ${ox}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const head = async () => (await api('GET', '/api/repos/ox/data/branches/main')).json().branch.commit_id as string;

  beforeAll(async () => {
    const tokensFile = join(tempDir('sluice-read-tokens-'), 'tokens.json');
    ox = createToken(tokensFile, 'ox', 'ox:write');
    other = createToken(tokensFile, 'other', 'other:write');
    sluice = await startSluice(
      testEnv('fs', { SLUICE_AUTH: 'on', SLUICE_AUTH_TOKENS_FILE: tokensFile, SLUICE_RATE_LIMIT: '0' }).env,
    );
    remote = `${sluice.url}/ox/data`;
    expect((await run(['repo', 'create', '--remote', remote])).code).toBe(0);
    const dataset = tempDir('sluice-read-');
    mkdirSync(join(dataset, 'data', 'sub'), { recursive: true });
    mkdirSync(join(dataset, 'many'));
    writeFileSync(join(dataset, 'README.md'), '# readme\n');
    writeFileSync(join(dataset, 'data', 'x.csv'), 'a,b\n1,2\n');
    writeFileSync(join(dataset, 'data', 'sub', 'y.bin'), Buffer.alloc(3000, 7));
    // more than one page of the CLI's 1,000-entry pages
    for (let i = 0; i < 1005; i++) writeFileSync(join(dataset, 'many', `${String(i).padStart(4, '0')}.txt`), `${i}\n`);
    const first = await run(['push', dataset, '--remote', remote, '-m', 'first', '--json']);
    expect(first.code, first.stderr).toBe(0);
    commits.push(await head());
    writeFileSync(join(dataset, 'data', 'x.csv'), 'a,b\n1,2\n3,4\n');
    writeFileSync(join(dataset, 'data', 'new.txt'), 'new\n');
    const second = await run(['push', dataset, '--remote', remote, '-m', 'second', '--json']);
    expect(second.code, second.stderr).toBe(0);
    commits.push(await head());
    expect(
      (await api('PUT', '/api/repos/ox/data/workspaces', { workspace_id: 'rm', branch_name: 'main' })).status,
    ).toBe(200);
    expect((await api('DELETE', '/api/repos/ox/data/workspaces/rm/files', ['README.md'])).status).toBe(200);
    const third = await run(['commit', '--remote', remote, '--workspace', 'rm', '-m', 'third: no readme']);
    expect(third.code, third.stderr).toBe(0);
    commits.push(await head());
    rmSync(dataset, { recursive: true });
  });
  afterAll(async () => sluice?.stop());

  it('ls: types, sizes and names of a directory, a page at a time, at a branch or a commit', async () => {
    const root = await run(['ls', remote]);
    expect(root.code, root.stderr).toBe(0);
    expect(lines(root.stdout)).toEqual([
      expect.stringMatching(/^dir +\d+ {2}data\/$/),
      expect.stringMatching(/^dir +\d+ {2}many\/$/),
      expect.stringMatching(/^2 entries: 2 dir\(s\), 0 file\(s\), \d+ bytes at main \([0-9a-f]+\)$/),
    ]);
    const data = await run(['ls', remote, 'data']);
    expect(lines(data.stdout).slice(0, -1)).toEqual([
      row('file', 4, 'new.txt'),
      row('dir', 3000, 'sub/'),
      row('file', 12, 'x.csv'),
    ]);
    // the first commit, by id: the readme was there, new.txt not yet
    const old = await run(['ls', remote, '--revision', commits[0]!, '--json']);
    expect(jsonLines(old.stdout).map((e) => `${e.type} ${e.path} ${e.size}`)).toEqual([
      'file README.md 9',
      expect.stringMatching(/^dir data \d+$/),
      expect.stringMatching(/^dir many \d+$/),
    ]);
    // 1,005 entries in two pages, all shown; --limit cuts and says so
    const many = await run(['ls', remote, 'many', '--json']);
    const names = jsonLines(many.stdout).map((e) => e.path);
    expect(names.length).toBe(1005);
    expect(new Set(names).size).toBe(1005);
    expect(names[1004]).toBe('1004.txt');
    const limited = await run(['ls', `${remote}`, 'many', '--limit', '3']);
    expect(lines(limited.stdout)).toEqual([
      expect.stringMatching(/ 0000\.txt$/),
      expect.stringMatching(/ 0001\.txt$/),
      expect.stringMatching(/ 0002\.txt$/),
      '… 1002 more entries not shown (--limit 3)',
    ]);
    // a file path shows the file; --remote works as well as the positional remote
    const file = await run(['ls', 'data/sub/y.bin', '--remote', remote]);
    expect(lines(file.stdout)[0]).toBe(row('file', 3000, 'data/sub/y.bin'));
  });

  it('prints all of a long listing to a reader slower than the command (no output lost at exit)', async () => {
    // the pipe fills while its reader sleeps: the command must wait for it, not exit with lines unwritten
    const command = `"${process.execPath}" "${cli}" ls "${remote}" many --json | (sleep 1.5; wc -l)`;
    const counted = await new Promise<string>((resolve) => {
      const child = spawnTracked('sh', ['-c', command], {
        env: { PATH: process.env.PATH ?? '', SLUICE_TOKEN: ox },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      child.on('exit', () => resolve(out));
    });
    expect(Number(counted.trim())).toBe(1005);
  });

  it('log: every commit of the branch, or those that touched a path, newest first', async () => {
    const all = await run(['log', remote, '--json']);
    expect(all.code, all.stderr).toBe(0);
    const ids = jsonLines(all.stdout).map((c) => c.id);
    // the three commits and the repository's initial one
    expect(ids.slice(0, 3)).toEqual([...commits].reverse());
    expect(ids.length).toBe(4);
    const x = await run(['log', remote, 'data/x.csv']);
    expect(lines(x.stdout)).toEqual([
      expect.stringMatching(new RegExp(`^${commits[1]}  \\S+  tester <tester@localhost>  second$`)),
      expect.stringMatching(new RegExp(`^${commits[0]}  \\S+  tester <tester@localhost>  first$`)),
      `2 commit(s) touched data/x.csv up to main (${commits[2]})`,
    ]);
    const readme = await run(['log', remote, 'README.md', '--json']);
    expect(jsonLines(readme.stdout).map((c) => c.message)).toEqual(['third: no readme', 'first']);
    const up = await run(['log', remote, 'data/x.csv', '--revision', commits[0]!, '--json']);
    expect(jsonLines(up.stdout).map((c) => c.id)).toEqual([commits[0]]);
    const missing = await run(['log', remote, 'no/such/path']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no commit up to main touched no\/such\/path, and it is not there/);
  });

  it('diff: added, modified and removed between two revisions, under a path, a page at a time', async () => {
    const two = await run(['diff', remote, commits[0]!, commits[1]!]);
    expect(two.code, two.stderr).toBe(0);
    expect(lines(two.stdout)).toEqual([
      `added${' '.repeat(16)}4  data/new.txt`,
      `modified${' '.repeat(7)}8 -> 12  data/x.csv`,
      `1 added, 1 modified, 0 removed from ${commits[0]} ` +
        `(${commits[0]!.slice(0, 12)}) to ${commits[1]} (${commits[1]!.slice(0, 12)})`,
    ]);
    const removed = await run(['diff', remote, commits[1]!, 'main', '--json']);
    expect(jsonLines(removed.stdout)).toEqual([
      { path: 'README.md', status: 'removed', base: { hash: expect.any(String), size: 9 }, head: null },
    ]);
    const under = await run(['diff', remote, commits[0]!, 'main', 'data']);
    expect(
      lines(under.stdout)
        .slice(0, -1)
        .map((l) => l.split(' ')[0] + ' ' + l.split('  ').pop()),
    ).toEqual(['added data/new.txt', 'modified data/x.csv']);
    const same = await run(['diff', remote, 'main', commits[2]!]);
    expect(lines(same.stdout)).toEqual([
      expect.stringMatching(/^no differences: 0 added, 0 modified, 0 removed from main/),
    ]);
    // from the repository's first commit: every file is added, 1,008 of them over two pages of the route
    const initial = jsonLines((await run(['log', remote, '--json'])).stdout).pop()!.id as string;
    const everything = await run(['diff', remote, initial, 'main', '--json']);
    const added = jsonLines(everything.stdout);
    expect(added.length).toBe(1008);
    expect(added.every((c) => c.status === 'added')).toBe(true);
    expect(new Set(added.map((c) => c.path)).size).toBe(1008);
    const limited = await run(['diff', remote, initial, 'main', '--limit', '2']);
    expect(lines(limited.stdout)).toEqual([
      expect.stringMatching(/data\/new\.txt$/),
      expect.stringMatching(/data\/sub\/y\.bin$/),
      '… more changes not shown (--limit 2)',
    ]);
  });

  it('the compare route pages by cursor: pages joined equal one large page, and each is bounded', async () => {
    const initial = jsonLines((await run(['log', remote, '--json'])).stdout).pop()!.id as string;
    const whole = (
      await api('GET', `/api/repos/ox/data/compare/trees?base=${initial}&head=main&page_size=10000`)
    ).json();
    expect(whole.next_after).toBeNull();
    const joined: unknown[] = [];
    let after: string | null = null;
    do {
      const query: string =
        `base=${initial}&head=main&page_size=7` + (after === null ? '' : `&after=${encodeURIComponent(after)}`);
      const page = (await api('GET', `/api/repos/ox/data/compare/trees?${query}`)).json();
      expect(page.entries.length).toBeLessThanOrEqual(7);
      joined.push(...page.entries);
      after = page.next_after;
    } while (after !== null);
    expect(joined).toEqual(whole.entries);
    // under a directory, the cursor is relative to it
    const sub = (
      await api(
        'GET',
        `/api/repos/ox/data/compare/trees?base=${initial}&head=main&path=many&page_size=2&after=0001.txt`,
      )
    ).json();
    expect(sub.entries.map((e: { path: string }) => e.path)).toEqual(['many/0002.txt', 'many/0003.txt']);
    expect(sub.next_after).toBe('0003.txt');
    expect((await api('GET', `/api/repos/ox/data/compare/trees?base=main&head=main&page_size=10001`)).status).toBe(400);
    expect((await api('GET', '/api/repos/ox/data/compare/trees?base=nope&head=main')).status).toBe(404);
  });

  it('status lists what a workspace has staged, a page at a time', async () => {
    expect(
      (
        await api('PUT', '/api/repos/ox/data/workspaces', {
          workspace_id: 'looking',
          branch_name: 'main',
          name: 'looking',
        })
      ).status,
    ).toBe(200);
    expect(
      (await api('DELETE', '/api/repos/ox/data/workspaces/looking/files', ['data/x.csv', 'data/new.txt'])).status,
    ).toBe(200);
    const status = await run(['status', '--remote', remote, '--workspace', 'looking']);
    expect(status.code, status.stderr).toBe(0);
    expect(lines(status.stdout)).toEqual([
      'workspace looking: 0 file(s) staged, 2 removal(s)',
      '  removed   data/new.txt',
      '  removed   data/x.csv',
    ]);
    const limited = await run(['status', '--remote', remote, '--workspace', 'looking', '--limit', '1', '--json']);
    expect(jsonLines(limited.stdout)).toEqual([{ path: 'data/new.txt', status: 'removed', size: expect.any(Number) }]);
  });

  it(
    'says which is missing (repository, revision, ' +
      'path) or that the server is down, with exit 1; usage errors exit 2',
    async () => {
      for (const command of [['ls'], ['log'], ['diff', 'main', 'main']]) {
        const [name, ...args] = command;
        const missingRepo = await run([name!, `${sluice.url}/ox/nothing-here`, ...args]);
        expect(missingRepo.code).toBe(1);
        expect(missingRepo.stderr).toMatch(
          /^sluice: repository ox\/nothing-here not found on http:\/\/127\.0\.0\.1:\d+ \(repo_not_found\)/,
        );
        const down = await run([name!, `http://127.0.0.1:${await freePort()}/ox/data`, ...args]);
        expect(down.code).toBe(1);
        expect(down.stderr).toMatch(
          /^sluice: http:\/\/127\.0\.0\.1:\d+ did not answer \(ECONNREFUSED\) \(unreachable\)/,
        );
        const help = await run([name!, '--help']);
        expect(help.code).toBe(0);
        expect(help.stdout).toMatch(new RegExp(`^usage: sluice ${name} <remote>`));
        const usage = await run([name!]);
        expect(usage.code).toBe(2);
        expect(usage.stderr).toMatch(/a remote is required/);
      }
      const badRevision = await run(['ls', remote, '--revision', 'no-such-branch']);
      expect(badRevision.code).toBe(1);
      expect(badRevision.stderr).toMatch(/revision no-such-branch not found in ox\/data/);
      const badDiff = await run(['diff', remote, 'main', 'deadbeef']);
      expect(badDiff.code).toBe(1);
      expect(badDiff.stderr).toMatch(/revision deadbeef not found in ox\/data/);
      const badPath = await run(['ls', remote, 'data/nope']);
      expect(badPath.code).toBe(1);
      expect(badPath.stderr).toMatch(/path data\/nope not found/);
      const oneRevision = await run(['diff', remote, 'main']);
      expect(oneRevision.code).toBe(2);
      expect(oneRevision.stderr).toMatch(/sluice diff needs two revisions/);
      const badLimit = await run(['ls', remote, '--limit', 'many']);
      expect(badLimit.code).toBe(2);
    },
  );

  it('refuses another tenant: its token reads nothing of this repository', async () => {
    for (const command of [
      ['ls', remote],
      ['log', remote, 'data/x.csv'],
      ['diff', remote, commits[0]!, commits[1]!],
    ]) {
      const refused = await run(command, other);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(
        /^sluice: GET \/api\/repos\/ox\/data: 403 this token may not read namespace 'ox' \(forbidden\)$/m,
      );
      expect(refused.stderr).not.toContain('x.csv');
    }
    const compare = await send(
      sluice.url,
      'GET',
      `/api/repos/ox/data/compare/trees?base=${commits[0]}&head=${commits[1]}`,
      { headers: { authorization: `Bearer ${other}` } },
    );
    expect([403, 404]).toContain(compare.status);
    expect(compare.body.toString()).not.toContain('x.csv');
    // ox's commit ids, compared inside the other tenant's own repository: not its commits, so not found
    const mine = `${sluice.url}/other/mine`;
    expect((await run(['repo', 'create', '--remote', mine], other)).code).toBe(0);
    const borrowed = await run(['diff', mine, commits[0]!, commits[1]!], other);
    expect(borrowed.code).toBe(1);
    expect(borrowed.stderr).toMatch(new RegExp(`revision ${commits[0]} not found in other/mine`));
    const direct = await send(
      sluice.url,
      'GET',
      `/api/repos/other/mine/compare/trees?base=${commits[0]}&head=${commits[1]}`,
      { headers: { authorization: `Bearer ${other}` } },
    );
    expect(direct.status).toBe(404);
    expect(direct.body.toString()).not.toContain('x.csv');
  });
});
