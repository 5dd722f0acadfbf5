import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { repoRoot } from './support/repo-root.js';
import { freePort } from './support/free-port.js';
import { send, stagedFiles, upload } from './support/oxen-http.js';
import { tempDir } from './support/temp-dirs.js';
import { spawnTracked } from './support/test-processes.js';
import { waitFor } from './support/wait-for.js';
import type { JsonBody } from './support/json-body.js';

const cli = join(repoRoot(), 'packages/client/bin/sluice.js');

/** Runs the `sluice` CLI as a process; resolves with its exit code and output. */
function sluiceCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawnTracked(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH ?? '', SLUICE_AUTHOR: 'tester' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

describe('the sluice CLI against a running sluice', () => {
  let sluice: SluiceProcess;
  let remote: string;
  let dataset: string;
  const big = randomBytes(3 * 1024 * 1024 + 123);
  const pushArgs = () => [
    'push',
    dataset,
    '--remote',
    remote,
    '--chunk-size',
    '1MiB',
    '--batch-size',
    '256KiB',
    '--json',
  ];
  const summaryOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!) as JsonBody;
  const committed = async (path: string) => send(sluice.url, 'GET', `/api/repos/ox/data/file/main/${path}`);

  beforeAll(async () => {
    sluice = await startSluice(testEnv('fs').env);
    remote = `${sluice.url}/ox/data`;
    dataset = tempDir('sluice-push-');
    for (let d = 0; d < 6; d++) {
      mkdirSync(join(dataset, 'train', `part${d}`), { recursive: true });
      for (let i = 0; i < 50; i++)
        writeFileSync(join(dataset, 'train', `part${d}`, `${i}.csv`), `id,value\n${d},${i}\n${'x'.repeat(i * 40)}\n`);
    }
    writeFileSync(join(dataset, 'train', 'part0', 'copy-of-1.csv'), `id,value\n0,1\n${'x'.repeat(40)}\n`);
    mkdirSync(join(dataset, 'blobs'));
    writeFileSync(join(dataset, 'blobs', 'big.bin'), big);
  });
  afterAll(async () => sluice?.stop());

  it('creates the repository, pushes small files in batches and a large one in chunks, and commits', async () => {
    const created = await sluiceCli(['repo', 'create', '--remote', remote]);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('created ox/data');

    const pushed = await sluiceCli([...pushArgs(), '--async', '-m', 'first push']);
    expect(pushed.stderr).toBe('');
    expect(pushed.code).toBe(0);
    const summary = summaryOf(pushed.stdout);
    expect(summary).toMatchObject({ files: 302, sent: 302, skipped: 0, failed: [], staged: 302 });
    // the copy's content was already on the server when its batch ran, or in the same batch
    expect(summary.deduplicated).toBeGreaterThanOrEqual(1);
    expect(summary.commit.message).toBe('first push');
    expect(summary.bytesSent).toBeGreaterThan(big.length);

    const file = await committed('train/part3/7.csv');
    expect(file.status).toBe(200);
    expect(file.body.toString()).toBe(`id,value\n3,7\n${'x'.repeat(280)}\n`);
    const blob = await committed('blobs/big.bin');
    expect(sha(blob.body)).toBe(sha(big));
    const listing = (await send(sluice.url, 'GET', '/api/repos/ox/data/dir/main/train/part0')).json();
    expect(listing.total_entries).toBe(51);
  });

  it('sends nothing for an unchanged dataset, and only what changed after that', async () => {
    const again = await sluiceCli(pushArgs());
    expect(again.code).toBe(0);
    expect(summaryOf(again.stdout)).toMatchObject({
      files: 302,
      sent: 0,
      skipped: 302,
      bytesSent: 0,
      commit: null,
      commitNote: expect.stringMatching(/nothing to commit/),
    });

    // a push that stops before its commit (--no-commit), then more data, then the same push again
    writeFileSync(join(dataset, 'train', 'part5', '0.csv'), 'changed\n');
    const stopped = await sluiceCli([...pushArgs(), '--no-commit']);
    expect(summaryOf(stopped.stdout)).toMatchObject({ sent: 1, skipped: 301, commit: null });
    for (let i = 0; i < 20; i++) writeFileSync(join(dataset, 'train', `new-${i}.csv`), `new ${i}\n`);
    const resumed = await sluiceCli(pushArgs());
    expect(resumed.code).toBe(0);
    const summary = summaryOf(resumed.stdout);
    // the changed file is staged already: only the 20 new ones travel
    expect(summary).toMatchObject({ files: 322, sent: 20, skipped: 302, failed: [] });
    expect(summary.commit).not.toBeNull();
    expect((await committed('train/part5/0.csv')).body.toString()).toBe('changed\n');
    expect((await committed('train/new-19.csv')).body.toString()).toBe('new 19\n');
  });

  it('resumes a push killed in the middle: the rerun sends only what was not staged', async () => {
    const big = tempDir('sluice-killed-');
    for (let i = 0; i < 400; i++)
      writeFileSync(join(big, `${String(i).padStart(3, '0')}.txt`), `line ${i}\n${'y'.repeat(2000)}\n`);
    // gzipped as to a remote server (the default to loopback is plain)
    const args = [
      'push',
      big,
      '--remote',
      remote,
      '--dst',
      'killed',
      '--workspace',
      'resumable',
      '--batch-size',
      '8KiB',
      '--concurrency',
      '1',
      '--gzip',
      'always',
      '--json',
    ];
    const child = spawnTracked(process.execPath, [cli, ...args], { stdio: 'ignore' });
    const ws = '/api/repos/ox/data/workspaces/resumable';
    let stagedAtKill = 0;
    await waitFor(
      '40 files staged',
      async () => (stagedAtKill = (await stagedFiles(sluice.url, ws).catch(() => new Map())).size) >= 40,
      120_000,
      20,
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // a batch whose body had arrived whole is still staged by the server: wait until nothing moves
    for (let previous = -1; stagedAtKill !== previous;) {
      previous = stagedAtKill;
      await new Promise((r) => setTimeout(r, 700));
      stagedAtKill = (await stagedFiles(sluice.url, ws)).size;
    }
    expect(stagedAtKill).toBeGreaterThanOrEqual(40);
    expect(stagedAtKill).toBeLessThan(400);

    const rerun = await sluiceCli(args);
    expect(rerun.code).toBe(0);
    const summary = summaryOf(rerun.stdout);
    expect(summary.skipped).toBe(stagedAtKill);
    expect(summary.sent).toBe(400 - stagedAtKill);
    expect(summary.failed).toEqual([]);
    expect(summary.commit).not.toBeNull();
    expect((await committed('killed/399.txt')).body.toString()).toBe(`line 399\n${'y'.repeat(2000)}\n`);
    expect((await send(sluice.url, 'GET', '/api/repos/ox/data/dir/main/killed')).json().total_entries).toBe(400);
  });

  it('stages content the server already holds by hash: a copy under another path sends no bytes', async () => {
    const copy = await sluiceCli([...pushArgs(), '--dst', 'copy']);
    expect(copy.code).toBe(0);
    const summary = summaryOf(copy.stdout);
    expect(summary).toMatchObject({ files: 322, sent: 0, skipped: 0, stagedByHash: 322, bytesSent: 0, failed: [] });
    expect(summary.commit).not.toBeNull();
    const file = await committed('copy/train/part3/7.csv');
    expect(file.body.toString()).toBe(`id,value\n3,7\n${'x'.repeat(280)}\n`);
    // typed as the upload typed the original
    expect(file.headers['content-type']).toBe((await committed('train/part3/7.csv')).headers['content-type']);
    expect(sha((await committed('copy/blobs/big.bin')).body)).toBe(sha(big));
  });

  it('reports unreadable files and bad names per file, exits non-zero and commits nothing', async () => {
    const broken = tempDir('sluice-broken-');
    writeFileSync(join(broken, 'fine.txt'), 'fine\n');
    symlinkSync('/nonexistent/target', join(broken, 'dangling.txt'));
    writeFileSync(Buffer.from(join(broken, 'bad-\xff-name.txt'), 'latin1'), 'x');
    const head = (await send(sluice.url, 'GET', '/api/repos/ox/data/branches/main')).json().branch.commit_id;

    const result = await sluiceCli(['push', broken, '--remote', remote, '--dst', 'broken', '--json']);
    expect(result.code).toBe(1);
    const summary = summaryOf(result.stdout);
    expect(summary.failed).toEqual(
      expect.arrayContaining([
        { path: 'dangling.txt', reason: 'unreadable: ENOENT' },
        { path: expect.stringMatching(/^bad-.*-name\.txt$/), reason: 'the file name is not valid UTF-8' },
      ]),
    );
    expect(summary.sent).toBe(1);
    expect(summary.commit).toBeNull();
    expect(summary.commitNote).toMatch(/2 file\(s\) failed; .*run the same push again/);
    expect((await send(sluice.url, 'GET', '/api/repos/ox/data/branches/main')).json().branch.commit_id).toBe(head);

    // human output names each failure
    const plain = await sluiceCli(['push', broken, '--remote', remote, '--dst', 'broken']);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain('failed dangling.txt: unreadable: ENOENT');
  });

  it('says clearly when the server is down or the repository missing, with a non-zero exit', async () => {
    const down = await sluiceCli(['push', dataset, '--remote', `http://127.0.0.1:${await freePort()}/ox/data`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^sluice: http:\/\/127\.0\.0\.1:\d+ did not answer \(ECONNREFUSED\) \(unreachable\)/m);
    const missing = await sluiceCli(['push', dataset, '--remote', `${sluice.url}/ox/nothing-here`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/repository ox\/nothing-here not found .*sluice repo create/);
    const usage = await sluiceCli(['push', dataset]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--remote is required');
  });

  it('shows a job and a workspace status', async () => {
    const ws = '/api/repos/ox/data/workspaces/looking';
    expect(
      (
        await send(sluice.url, 'PUT', '/api/repos/ox/data/workspaces', {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ workspace_id: 'looking', branch_name: 'main', name: 'looking' }),
        })
      ).status,
    ).toBe(200);
    const accepted = await upload(
      sluice.url,
      `${ws}/files/x`,
      [
        { filename: 'ok.txt', content: 'ok', gzip: true },
        { filename: 'bad.txt', content: Buffer.from('no gzip'), contentType: 'application/gzip' },
      ],
      { prefer: 'respond-async' },
    );
    const id = accepted.json().job.id as string;
    let shown = await sluiceCli(['job', id, '--remote', sluice.url]);
    await waitFor('the job to complete', async () =>
      (shown = await sluiceCli(['job', id, '--remote', sluice.url])).stdout.includes('completed'),
    );
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`job ${id}: ingest, completed, 2/2 files`);
    expect(shown.stdout).toContain('1 staged, 1 failed');
    expect(shown.stdout).toContain('failed x/bad.txt: corrupt_gzip');

    const status = await sluiceCli(['status', '--remote', remote, '--workspace', 'looking']);
    expect(status.stdout.trim().split('\n')).toEqual([
      'workspace looking: 1 file(s) staged, 0 removal(s)',
      '  added     x/ok.txt',
    ]);
  });
  it(
    'answers usage as documented: --version, help per command, ' +
      'exit 2 for unknown commands, bad remotes and missing paths',
    async () => {
      const version = await sluiceCli(['--version']);
      expect(version.code).toBe(0);
      expect(version.stdout.trim()).toMatch(/^sluice \d+\.\d+\.\d+$/);
      const pushHelp = await sluiceCli(['push', '--help']);
      expect(pushHelp.code).toBe(0);
      expect(pushHelp.stdout).toMatch(/^usage: sluice push /);
      for (const mention of ['--batch-size', '--author', '--email', 'SLUICE_AUTHOR', 'SLUICE_EMAIL'])
        expect(pushHelp.stdout).toContain(mention);
      expect((await sluiceCli(['commit', '--help'])).stdout).toMatch(/^usage: sluice commit /);
      const unknown = await sluiceCli(['pussh', dataset, '--remote', remote]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/unknown command 'pussh'/);
      const badRemote = await sluiceCli(['push', dataset, '--remote', 'not a url']);
      expect(badRemote.code).toBe(2);
      expect(badRemote.stderr).toMatch(/remote not a url: expected/);
      // a read command's remote comes first, without the flag: the message does not name one
      const badRead = await sluiceCli(['ls', `${sluice.url}/ox`]);
      expect(badRead.code).toBe(2);
      expect(badRead.stderr).toBe(`sluice: remote ${sluice.url}/ox: expected http(s)://host[:port]/namespace/name\n`);
      const bogus = await sluiceCli(['ls', remote, '--bogus']);
      expect(bogus.code).toBe(2);
      expect(bogus.stderr).toBe('sluice: unknown option --bogus (sluice <command> --help lists them)\n');
      const gone = await sluiceCli(['status', '--remote', remote, '--workspace', 'never-made']);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toMatch(/\(workspace_not_found\)\nsluice: a workspace a commit took is gone/);
      const badGzip = await sluiceCli(['push', dataset, '--remote', remote, '--gzip', 'sometimes']);
      expect(badGzip.code).toBe(2);
      expect(badGzip.stderr).toMatch(/--gzip sometimes: expected one of auto, always, never/);
      const workspacesBefore = (await send(sluice.url, 'GET', '/api/repos/ox/data/workspaces')).json().workspaces
        .length;
      const missing = await sluiceCli(['push', join(dataset, 'no-such-dir'), '--remote', remote]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/no such file or directory: .*no-such-dir/);
      expect((await send(sluice.url, 'GET', '/api/repos/ox/data/workspaces')).json().workspaces.length).toBe(
        workspacesBefore,
      );
    },
  );

  it('counts deduplicated files as the page does, also for synchronous uploads', async () => {
    const dir = tempDir('sluice-dedup-');
    const same = `the same content ${Date.now()}\n`;
    for (let i = 0; i < 5; i++) writeFileSync(join(dir, `copy-${i}.txt`), same);
    writeFileSync(join(dir, 'other.txt'), 'other\n');
    const pushed = await sluiceCli(['push', dir, '--remote', remote, '--dst', 'dedup', '--json']);
    expect(pushed.code, pushed.stderr).toBe(0);
    const summary = summaryOf(pushed.stdout);
    // five copies in one request: the content is stored once, the other four are deduplicated
    expect(summary.deduplicated).toBe(4);
    const page = (await send(sluice.url, 'GET', '/api/dashboard')).json() as {
      recent_jobs: Array<{ workspace_id: string; deduplicated: number | null }>;
    };
    const jobs = page.recent_jobs.filter((job) => job.workspace_id === summary.workspaceId);
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs.reduce((sum, job) => sum + (job.deduplicated ?? 0), 0)).toBe(summary.deduplicated);
  });

  it('says plainly when a commit has nothing to commit', async () => {
    await send(sluice.url, 'PUT', '/api/repos/ox/data/workspaces', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workspace_id: 'idle', branch_name: 'main' }),
    });
    const idle = await sluiceCli(['commit', '--remote', remote, '--workspace', 'idle', '-m', 'nothing']);
    expect(idle.code).toBe(1);
    expect(idle.stdout).toMatch(/^nothing to commit: workspace idle has nothing staged/);
    expect(idle.stderr).toBe('');
  });
  it(
    'leaves out .git/, what .sluiceignore says and --exclude patterns, ' +
      'and no empty workspace behind an unchanged re-push',
    async () => {
      const dir = tempDir('sluice-ignore-');
      mkdirSync(join(dir, '.git', 'objects'), { recursive: true });
      writeFileSync(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
      mkdirSync(join(dir, 'cache'));
      writeFileSync(join(dir, 'cache', 'x.tmp'), 'cached');
      writeFileSync(join(dir, '.DS_Store'), 'finder');
      writeFileSync(join(dir, 'keep.csv'), 'a,b\n');
      writeFileSync(join(dir, 'notes.log'), 'log');
      writeFileSync(join(dir, '.sluiceignore'), '# editor and OS litter\n.DS_Store\ncache/\n');
      const args = ['push', dir, '--remote', remote, '--dst', 'ignoring', '--exclude', '*.log', '--json'];
      const pushed = await sluiceCli(args);
      expect(pushed.code).toBe(0);
      // files, not folders: .DS_Store, notes.log and cache/x.tmp (.git/ is never data, and not counted)
      expect(summaryOf(pushed.stdout)).toMatchObject({ files: 2, ignored: 3, failed: [] });
      const listing = (await send(sluice.url, 'GET', '/api/repos/ox/data/dir/main/ignoring'))
        .json()
        .entries.map((e: { filename: string }) => e.filename)
        .sort();
      expect(listing).toEqual(['.sluiceignore', 'keep.csv']);
      // the same push again changes nothing and leaves no workspace behind
      const workspaces = async () =>
        (await send(sluice.url, 'GET', '/api/repos/ox/data/workspaces'))
          .json()
          .workspaces.map((w: { id: string }) => w.id)
          .sort();
      const before = await workspaces();
      const again = await sluiceCli(args);
      expect(summaryOf(again.stdout)).toMatchObject({
        sent: 0,
        commit: null,
        commitNote: expect.stringMatching(/nothing to commit/),
      });
      expect(await workspaces()).toEqual(before);
    },
  );
  it(
    'honours .gitignore (nested, ' +
      'and above the pushed directory in its work tree) unless --no-gitignore; counts ignored files',
    async () => {
      const tree = tempDir('sluice-gitignore-');
      mkdirSync(join(tree, '.git', 'info'), { recursive: true });
      writeFileSync(join(tree, '.git', 'info', 'exclude'), 'local-only.csv\n');
      writeFileSync(join(tree, '.gitignore'), '*.tmp\nsecret/\n');
      const data = join(tree, 'data');
      mkdirSync(join(data, 'secret', 'deeper'), { recursive: true });
      mkdirSync(join(data, 'nested'));
      writeFileSync(join(data, 'b.csv'), 'b\n');
      writeFileSync(join(data, 'a.tmp'), 'a\n');
      writeFileSync(join(data, 'local-only.csv'), 'mine\n');
      writeFileSync(join(data, 'forced.tmp'), 'forced\n');
      writeFileSync(join(data, '.sluiceignore'), '!forced.tmp\n');
      for (const name of ['1.txt', '2.txt', 'deeper/3.txt']) writeFileSync(join(data, 'secret', name), name);
      writeFileSync(join(data, 'nested', '.gitignore'), '!keep.tmp\n');
      writeFileSync(join(data, 'nested', 'keep.tmp'), 'keep\n');
      writeFileSync(join(data, 'nested', 'drop.tmp'), 'drop\n');
      const listed = async (dst: string) => {
        const out: string[] = [];
        const walk = async (dir: string): Promise<void> => {
          for (const e of (await send(sluice.url, 'GET', `/api/repos/ox/data/dir/main/${dir}`)).json()
            .entries as Array<{
            filename: string;
            is_dir: boolean;
          }>) {
            if (e.is_dir) await walk(`${dir}/${e.filename}`);
            else out.push(`${dir}/${e.filename}`.slice(dst.length + 1));
          }
        };
        await walk(dst);
        return out.sort();
      };

      const pushed = await sluiceCli(['push', data, '--remote', remote, '--dst', 'gitignored', '--json']);
      expect(pushed.code, pushed.stderr).toBe(0);
      // a.tmp, nested/drop.tmp, local-only.csv and the three files of secret/
      expect(summaryOf(pushed.stdout)).toMatchObject({ files: 5, ignored: 6, failed: [] });
      expect(await listed('gitignored')).toEqual([
        '.sluiceignore',
        'b.csv',
        'forced.tmp',
        'nested/.gitignore',
        'nested/keep.tmp',
      ]);

      const everything = await sluiceCli(['push', data, '--remote', remote, '--dst', 'everything', '--no-gitignore']);
      expect(everything.code, everything.stderr).toBe(0);
      expect(everything.stdout).not.toContain('ignored');
      expect((await listed('everything')).length).toBe(11);
    },
  );

  it('after --no-commit prints the exact command that commits the workspace, and that command does', async () => {
    const dir = tempDir('sluice-later-');
    writeFileSync(join(dir, 'later.txt'), 'later\n');
    const head = async () =>
      (await send(sluice.url, 'GET', '/api/repos/ox/data/branches/main')).json().branch.commit_id as string;
    const before = await head();
    const pushed = await sluiceCli([
      'push',
      dir,
      '--remote',
      remote,
      '--dst',
      'later',
      '--no-commit',
      '-m',
      "it's later",
    ]);
    expect(pushed.code, pushed.stderr).toBe(0);
    const line = pushed.stdout.split('\n').find((l) => l.startsWith('  to commit it: '));
    expect(line).toMatch(
      /^ {2}to commit it: sluice commit --remote \S+ --workspace \S+ --branch main -m 'it'\\''s later'$/,
    );
    expect(await head()).toBe(before);
    // run as a shell runs it, with `sluice` being this CLI
    const words = (await import('node:child_process'))
      .execFileSync('sh', ['-c', `for w in ${line!.slice('  to commit it: sluice '.length)}; do echo "$w"; done`], {
        encoding: 'utf8',
      })
      .trim()
      .split('\n');
    const committed = await sluiceCli(words);
    expect(committed.code, committed.stderr).toBe(0);
    expect(committed.stdout).toMatch(/^commit \S+ on main: it's later$/m);
    expect(await head()).not.toBe(before);
    expect((await send(sluice.url, 'GET', '/api/repos/ox/data/file/main/later/later.txt')).body.toString()).toBe(
      'later\n',
    );
  });

  it('says that the server went away, keeps trying, and finishes once it is back', async () => {
    const env = { ...testEnv('fs').env, SLUICE_PORT: String(await freePort()) };
    let server = await startSluice(env);
    const target = `${server.url}/ox/away`;
    await sluiceCli(['repo', 'create', '--remote', target]);
    const dir = tempDir('sluice-away-');
    for (let i = 0; i < 300; i++) writeFileSync(join(dir, `${i}.txt`), `file ${i}\n${'z'.repeat(4000)}\n`);
    // a restart on a busy machine takes a while: the push keeps trying for as long as it is told
    const child = spawnTracked(
      process.execPath,
      [cli, 'push', dir, '--remote', target, '--batch-size', '8KiB', '--concurrency', '1', '--retry-for', '10m'],
      { env: { PATH: process.env.PATH ?? '', SLUICE_AUTHOR: 'tester' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    // killed once the push is under way (its first contact fails fast, by design)
    await waitFor(
      'the push to begin',
      async () => (await send(server.url, 'GET', '/api/repos/ox/away/workspaces')).json().workspaces.length > 0,
    );
    await server.kill();
    await waitFor('the notice', () => /server unreachable, retrying in \d+s/.test(stderr));
    server = await startSluice(env);
    expect(await exited, stderr).toBe(0);
    await server.stop();
  });

  it('stops after --retry-for when the server stays away, saying that the same command resumes', async () => {
    const env = { ...testEnv('fs').env, SLUICE_PORT: String(await freePort()) };
    const server = await startSluice(env);
    const target = `${server.url}/ox/gone`;
    await sluiceCli(['repo', 'create', '--remote', target]);
    const dir = tempDir('sluice-gone-');
    for (let i = 0; i < 300; i++) writeFileSync(join(dir, `${i}.txt`), `file ${i}\n${'z'.repeat(4000)}\n`);
    const args = [
      cli,
      'push',
      dir,
      '--remote',
      target,
      '--batch-size',
      '8KiB',
      '--concurrency',
      '1',
      '--retry-for',
      '2s',
    ];
    const child = spawnTracked(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', SLUICE_AUTHOR: 'tester' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    await waitFor(
      'the push to begin',
      async () => (await send(server.url, 'GET', '/api/repos/ox/gone/workspaces')).json().workspaces.length > 0,
    );
    await server.kill();
    expect(await exited).toBe(1);
    expect(output).toMatch(/run the same (command|push) again to resume/);
  });
});
