import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createOxenHasher } from '@sluice/core';
import { tarStream, type TarEntry } from '@sluice/storage';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { freePort } from './support/free-port.js';
import { send } from './support/oxen-http.js';
import { tempDir } from './support/temp-dirs.js';
import { cli, createToken, sluiceCli, type CliRun } from './support/sluice-cli.js';
import { spawnTracked } from './support/test-processes.js';
import { waitFor } from './support/wait-for.js';
import { readTar } from './support/tar-entries.js';
import { ArchiveProxy } from './support/archive-proxy.js';
import type { JsonBody } from './support/json-body.js';

type Run = CliRun;

/** A tar as the archive route writes it, each entry with the pax hash of its bytes (or the one given). */
async function archiveOf(entries: Array<{ name: string; content: Buffer }>): Promise<Buffer> {
  const hasher = await createOxenHasher();
  const list: TarEntry[] = entries.map((e) => {
    hasher.init();
    hasher.update(e.content);
    return {
      name: e.name,
      size: e.content.length,
      pax: { 'SLUICE.hash': hasher.digest() },
      open: async () => e.content,
    };
  });
  const chunks: Buffer[] = [];
  for await (const chunk of tarStream(list)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const partsUnder = (dir: string) =>
  readdirSync(dir, { recursive: true }).filter((name) => String(name).endsWith('.sluice-part'));

/** Every file under a directory, by its relative path. */
function filesUnder(dir: string, below = ''): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  for (const entry of readdirSync(join(dir, below), { withFileTypes: true })) {
    const path = below === '' ? entry.name : `${below}/${entry.name}`;
    if (entry.isDirectory()) for (const [p, b] of filesUnder(dir, path)) found.set(p, b);
    else found.set(path, readFileSync(join(dir, path)));
  }
  return found;
}

const summaryOf = (run: Run) => JSON.parse(run.stdout.trim().split('\n').pop()!) as JsonBody;
const afterOf = (url: string) => new URL(url, 'http://x').searchParams.get('after');

/**
 * `sluice download` run as a process against a sluice with auth on, through a proxy that sees
 * (and can cut, hold or damage) every archive answer on the wire: what crossed it is what the
 * server sent, checked against the server's own count of archive requests.
 */
describe('sluice download: verified, atomic, resumable, skipping what is here', () => {
  let sluice: SluiceProcess;
  let proxy: ArchiveProxy;
  let remote: string;
  let ox = '';
  let other = '';
  let admin = '';
  const dataset = new Map<string, Buffer>();
  // past the 1 MiB the CLI holds in memory: streamed to its file
  const big = randomBytes(1536 * 1024);
  /** The whole archive of the repository, fetched once past the proxy. */
  let whole = Buffer.alloc(0);
  const run = (args: string[], token = ox) => sluiceCli(args, token);
  const serverArchiveRequests = async () => {
    const metrics = (
      await send(sluice.url, 'GET', '/metrics', { headers: { authorization: `Bearer ${admin}` } })
    ).body.toString();
    const line = metrics
      .split('\n')
      .find(
        (l) =>
          l.startsWith('sluice_http_request_duration_seconds_count') &&
          l.includes('/archive/*') &&
          l.includes('status="200"'),
      );
    return line === undefined ? 0 : Number(line.split(' ').pop());
  };
  const expectWhole = (dir: string) => {
    const got = filesUnder(dir);
    expect([...got.keys()].sort()).toEqual([...dataset.keys()].sort());
    for (const [path, bytes] of dataset) expect(got.get(path)!.equals(bytes), path).toBe(true);
  };

  beforeAll(async () => {
    const tokensFile = join(tempDir('sluice-download-tokens-'), 'tokens.json');
    ox = createToken(tokensFile, 'ox', 'ox:write');
    other = createToken(tokensFile, 'other', 'other:write');
    admin = createToken(tokensFile, 'ops', '*:admin');
    sluice = await startSluice(
      testEnv('fs', { SLUICE_AUTH: 'on', SLUICE_AUTH_TOKENS_FILE: tokensFile, SLUICE_RATE_LIMIT: '0' }).env,
    );
    proxy = await new ArchiveProxy(sluice.url).start();
    remote = `${proxy.url}/ox/data`;
    const source = tempDir('sluice-download-src-');
    for (const [dir, count] of [
      ['a', 100],
      ['b/c', 100],
      ['', 100],
    ] as const) {
      mkdirSync(join(source, dir), { recursive: true });
      for (let i = 0; i < count; i++) {
        const path = dir === '' ? `top-${i}.csv` : `${dir}/${String(i).padStart(3, '0')}.txt`;
        const bytes = Buffer.from(`${path}\n${randomBytes(600 + i * 10).toString('hex')}\n`);
        writeFileSync(join(source, path), bytes);
        dataset.set(path, bytes);
      }
    }
    mkdirSync(join(source, 'blobs'));
    writeFileSync(join(source, 'blobs', 'big.bin'), big);
    dataset.set('blobs/big.bin', big);
    expect((await run(['repo', 'create', '--remote', `${sluice.url}/ox/data`])).code).toBe(0);
    const pushed = await run(['push', source, '--remote', `${sluice.url}/ox/data`, '-m', 'data', '--json']);
    expect(pushed.code, pushed.stderr).toBe(0);
    whole = (
      await send(sluice.url, 'GET', '/api/repos/ox/data/archive/main', { headers: { authorization: `Bearer ${ox}` } })
    ).body;
    expect(readTar(whole).entries.length).toBe(dataset.size);
  });
  afterAll(async () => {
    await proxy?.stop();
    await sluice?.stop();
  });

  it('downloads into an empty directory with one request, every hash checked; again, fetches nothing', async () => {
    const to = join(tempDir('sluice-dl-'), 'data');
    const before = await serverArchiveRequests();
    const first = await run(['download', remote, '--to', to, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(summaryOf(first)).toMatchObject({ fetched: 301, skipped: 0, verified: 301, failed: [], requests: 1 });
    expectWhole(to);
    // the bytes on the wire were the archive, once
    expect(proxy.archives.at(-1)!.body.equals(whole)).toBe(true);
    expect(await serverArchiveRequests()).toBe(before + 1);

    const again = await run(['download', remote, '--to', to, '--json']);
    expect(summaryOf(again)).toMatchObject({ fetched: 0, skipped: 301, verified: 301, requests: 0, bytesFetched: 0 });
    expect(await serverArchiveRequests()).toBe(before + 1);

    // human output: a summary that says what happened
    const plain = await run(['download', remote, 'a', '--to', join(to, '..', 'only-a')]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(
      /^downloaded ox\/data:a at [0-9a-f]+ into .*only-a in [\d.]+ s\n {2}files 100: fetched 100, skipped 0 \(identical here\), failed 0; 100 hash\(es\) checked/,
    );
  });

  it(
    'skips identical local files and fetches only those missing or different, ' + 'each run from the file before it',
    async () => {
      const to = tempDir('sluice-dl-partial-');
      // the first 150 files in archive order are here already, one of them changed; the rest is not
      const order = readTar(whole).entries.map((e) => e.name);
      for (const path of order.slice(0, 150)) {
        mkdirSync(join(to, path, '..'), { recursive: true });
        writeFileSync(join(to, path), dataset.get(path)!);
      }
      writeFileSync(join(to, order[40]!), 'changed here\n');
      writeFileSync(join(to, 'mine.txt'), 'a local file the download leaves alone\n');
      const seen = proxy.archives.length;
      const result = await run(['download', remote, '--to', to, '--json']);
      expect(result.code, result.stderr).toBe(0);
      expect(summaryOf(result)).toMatchObject({ fetched: 152, skipped: 149, verified: 301, requests: 2 });
      const requests = proxy.archives.slice(seen);
      expect(requests.map((r) => afterOf(r.url))).toEqual([order[39], order[149]]);
      // the run to the end: exactly the entries after the 150th, nothing that was here
      const tail = readTar(requests[1]!.body);
      expect(tail.complete).toBe(true);
      expect(tail.entries.map((e) => e.name)).toEqual(order.slice(150));
      // the run of one file: it begins with that file (the answer is stopped after it)
      expect(readTar(requests[0]!.body).entries[0]!.name).toBe(order[40]);
      expect(readFileSync(join(to, 'mine.txt'), 'utf8')).toBe('a local file the download leaves alone\n');
      rmSync(join(to, 'mine.txt'));
      expectWhole(to);
    },
  );

  it('a transfer cut midway resumes after its last whole file: nothing is fetched twice', async () => {
    const to = tempDir('sluice-dl-cut-');
    const before = await serverArchiveRequests();
    const seen = proxy.archives.length;
    proxy.cutAfter = Math.floor(whole.length * 0.45);
    const result = await run(['download', remote, '--to', to, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(summaryOf(result)).toMatchObject({ fetched: 301, verified: 301, failed: [], requests: 2 });
    expectWhole(to);
    const [cut, resumed] = proxy.archives.slice(seen);
    expect(cut!.body.length).toBe(Math.floor(whole.length * 0.45));
    const got = readTar(cut!.body);
    expect(got.complete).toBe(false);
    const rest = readTar(resumed!.body);
    expect(rest.complete).toBe(true);
    // resumed after the last entry that arrived whole; no entry arrived whole twice
    expect(afterOf(resumed!.url)).toBe(got.entries.at(-1)!.name);
    const names = [...got.entries.map((e) => e.name), ...rest.entries.map((e) => e.name)];
    expect(names.length).toBe(dataset.size);
    expect(new Set(names).size).toBe(dataset.size);
    // in bytes: the whole archive once, plus only the part of the entry that was cut
    const cutEntry = dataset.get(rest.entries[0]!.name)!.length;
    expect(cut!.body.length + resumed!.body.length - whole.length).toBeLessThanOrEqual(cutEntry + 2048);
    expect(await serverArchiveRequests()).toBe(before + 2);
    expect(readdirSync(to, { recursive: true }).filter((name) => String(name).endsWith('.sluice-part'))).toEqual([]);
  });

  it('a download killed midway resumes from disk with one request after the last whole file', async () => {
    const to = tempDir('sluice-dl-killed-');
    const seen = proxy.archives.length;
    proxy.holdAfter = Math.floor(whole.length * 0.6);
    const child = spawnTracked(process.execPath, [cli, 'download', remote, '--to', to, '--json'], {
      env: { PATH: process.env.PATH ?? '', SLUICE_TOKEN: ox },
      stdio: 'ignore',
    });
    const written = () =>
      readdirSync(to, { recursive: true, withFileTypes: true }).filter(
        (e) => e.isFile() && !e.name.endsWith('.sluice-part'),
      ).length;
    // held: what arrived is written, then nothing moves
    let count = 0;
    await waitFor(
      'files written up to the hold',
      async () => {
        const now = written();
        const still = now === count && now > 50;
        count = now;
        if (!still) await new Promise((r) => setTimeout(r, 300));
        return still;
      },
      60_000,
      20,
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    proxy.release();
    const here = written();
    expect(here).toBeLessThan(dataset.size);
    const held = readTar(proxy.archives[seen]!.body);

    const rerun = await run(['download', remote, '--to', to, '--json']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(summaryOf(rerun)).toMatchObject({
      skipped: here,
      fetched: dataset.size - here,
      verified: dataset.size,
      requests: 1,
    });
    const resumed = proxy.archives.at(-1)!;
    expect(proxy.archives.length).toBe(seen + 2);
    expect(afterOf(resumed.url)).toBe(held.entries[here - 1]!.name);
    const rest = readTar(resumed.body).entries.map((e) => e.name);
    expect(rest.length).toBe(dataset.size - here);
    expect(rest.filter((name) => held.entries.slice(0, here).some((e) => e.name === name))).toEqual([]);
    expectWhole(to);
  });

  it(
    'a corrupted byte on the wire: the file is reported and not written, ' + 'exit 1; the rerun fetches it alone',
    async () => {
      const to = tempDir('sluice-dl-corrupt-');
      // one byte in the large file (streamed to disk), one in a small one (held, then written)
      proxy.flipAt = [whole.indexOf(big) + 1000, whole.indexOf(dataset.get('a/010.txt')!) + 5];
      const damaged = await run(['download', remote, '--to', to]);
      expect(damaged.code).toBe(1);
      for (const path of ['blobs/big.bin', 'a/010.txt']) {
        expect(damaged.stdout).toMatch(
          new RegExp(
            `failed ${path.replace('.', '\\.')}: hash mismatch: expected [0-9a-f]{1,32}, received bytes hash to ` +
              `[0-9a-f]{1,32}`,
          ),
        );
        expect(existsSync(join(to, path))).toBe(false);
        expect(existsSync(join(to, `${path}.sluice-part`))).toBe(false);
      }
      expect(damaged.stdout).toContain('files 301: fetched 299, skipped 0 (identical here), failed 2');

      const seen = proxy.archives.length;
      const rerun = await run(['download', remote, '--to', to, '--json']);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(summaryOf(rerun)).toMatchObject({ fetched: 2, skipped: 299, failed: [], requests: 2 });
      expect(proxy.archives.slice(seen).map((a) => readTar(a.body).entries[0]!.name)).toEqual([
        'a/010.txt',
        'blobs/big.bin',
      ]);
      expectWhole(to);
    },
  );

  it('a file that cannot be written here fails alone, and the archive is read on past it', async () => {
    const to = tempDir('sluice-dl-blocked-');
    mkdirSync(join(to, 'a', '050.txt'), { recursive: true });
    writeFileSync(join(to, 'a', '050.txt', 'mine'), 'a directory where the repository has a file\n');
    const result = await run(['download', remote, '--to', to, '--json']);
    expect(result.code).toBe(1);
    expect(summaryOf(result)).toMatchObject({
      fetched: 300,
      failed: [
        { path: 'a/050.txt', reason: 'local_conflict: a/050.txt here is a directory where the repository has a file' },
      ],
    });
    expect(readFileSync(join(to, 'a', '051.txt')).equals(dataset.get('a/051.txt')!)).toBe(true);
    expect(existsSync(join(to, 'a', '050.txt.sluice-part'))).toBe(false);
  });

  it('an archive naming a path outside the target fails once with exit 1: not a cut, not retried', async () => {
    const parent = tempDir('sluice-dl-hostile-');
    const to = join(parent, 'out');
    proxy.replaceWith = await archiveOf([
      { name: 'ok.txt', content: Buffer.from('fine\n') },
      { name: '../rv-evil1.txt', content: Buffer.from('evil\n') },
    ]);
    const seen = proxy.archives.length;
    try {
      const result = await run(['download', remote, '--to', to, '--retry-for', '1s']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /the archive names a path outside the target: "\.\.\/rv-evil1\.txt" \(bad_archive\)/,
      );
      expect(result.stderr).not.toMatch(/transfer cut|run the same command again/);
      expect(proxy.archives.length).toBe(seen + 1);
    } finally {
      proxy.replaceWith = null;
    }
    expect(existsSync(join(parent, 'rv-evil1.txt'))).toBe(false);
    expect(readdirSync(parent)).toEqual(['out']);
  });

  it('a resume answered with the file it was to begin after again is a wrong archive, not progress', async () => {
    const to = join(tempDir('sluice-dl-repeat-'), 'out');
    // every answer: ok.txt whole, then a cut in the next file; resumed after ok.txt, it sends ok.txt again
    const full = await archiveOf([
      { name: 'ok.txt', content: Buffer.from('fine\n') },
      { name: 'next.txt', content: randomBytes(4000) },
    ]);
    proxy.replaceWith = full.subarray(0, 3000);
    const seen = proxy.archives.length;
    try {
      const result = await run(['download', remote, '--to', to, '--retry-for', '20s']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/the archive sent ok\.txt again though asked for what follows it \(bad_archive\)/);
      expect(proxy.archives.length).toBe(seen + 2);
      expect(afterOf(proxy.archives.at(-1)!.url)).toBe('ok.txt');
    } finally {
      proxy.replaceWith = null;
    }
  });

  it('a file, directory or link in the way fails alone as a local conflict; the rest is downloaded', async () => {
    const to = tempDir('sluice-dl-conflict-');
    const outside = tempDir('sluice-dl-outside-');
    // a file where the repository has directory a/; directories where it has a small and a large file
    writeFileSync(join(to, 'a'), 'x\n');
    mkdirSync(join(to, 'top-0.csv'));
    mkdirSync(join(to, 'blobs', 'big.bin'), { recursive: true });
    // a link out of the target where the repository has directory b/c/
    mkdirSync(join(to, 'b'));
    symlinkSync(outside, join(to, 'b', 'c'));
    const result = await run(['download', remote, '--to', to, '--json']);
    expect(result.code).toBe(1);
    const summary = summaryOf(result);
    const failed = summary.failed as Array<{ path: string; reason: string }>;
    expect(failed.length).toBe(202);
    expect(summary.fetched).toBe(99);
    for (const f of failed) expect(f.reason, f.path).toMatch(/^local_conflict: /);
    expect(failed.find((f) => f.path === 'a/000.txt')!.reason).toMatch(
      /a here is a file where the repository has a directory/,
    );
    expect(failed.find((f) => f.path === 'top-0.csv')!.reason).toMatch(/top-0\.csv here is a directory/);
    expect(failed.find((f) => f.path === 'blobs/big.bin')!.reason).toMatch(/blobs\/big\.bin here is a directory/);
    expect(failed.find((f) => f.path === 'b/c/000.txt')!.reason).toMatch(/b\/c here is a symbolic link/);
    expect(readdirSync(outside)).toEqual([]);
    expect(partsUnder(to)).toEqual([]);
    expect(readFileSync(join(to, 'top-1.csv')).equals(dataset.get('top-1.csv')!)).toBe(true);

    // in words: a conflict, and no promise that a rerun cures it
    const plain = await run(['download', remote, '--to', to]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/local conflicts: move what is in the way/);
    expect(plain.stdout + plain.stderr).not.toMatch(/run the same command again/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('an empty repository downloads to an empty directory', async () => {
    expect((await run(['repo', 'create', '--remote', `${sluice.url}/ox/em`])).code).toBe(0);
    // its initial, empty commit comes with its first workspace
    const workspace = await send(sluice.url, 'PUT', '/api/repos/ox/em/workspaces', {
      headers: { authorization: `Bearer ${ox}`, 'content-type': 'application/json' },
      body: JSON.stringify({ workspace_id: 'ws-em', branch_name: 'main' }),
    });
    expect(workspace.status, workspace.body.toString()).toBeLessThan(300);
    const to = join(tempDir('sluice-dl-empty-'), 'em');
    const result = await run(['download', `${proxy.url}/ox/em`, '--to', to]);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(to)).toEqual([]);
  });

  it('gzip on the wire, a file path, and a revision by commit id', async () => {
    const to = tempDir('sluice-dl-gzip-');
    const zipped = await run(['download', remote, 'b', '--to', to, '--gzip', 'always', '--json']);
    expect(zipped.code, zipped.stderr).toBe(0);
    expect(new URL(proxy.archives.at(-1)!.url, 'http://x').searchParams.get('gzip')).toBe('true');
    expect(summaryOf(zipped)).toMatchObject({ fetched: 100, verified: 100 });
    expect(readFileSync(join(to, 'c', '007.txt')).equals(dataset.get('b/c/007.txt')!)).toBe(true);

    const head = (
      await send(sluice.url, 'GET', '/api/repos/ox/data/branches/main', { headers: { authorization: `Bearer ${ox}` } })
    ).json().branch.commit_id as string;
    const one = tempDir('sluice-dl-file-');
    const file = await run(['download', remote, 'blobs/big.bin', '--revision', head, '--to', one, '--json']);
    expect(file.code, file.stderr).toBe(0);
    expect(summaryOf(file)).toMatchObject({ commit: head, fetched: 1 });
    expect(readFileSync(join(one, 'big.bin')).equals(big)).toBe(true);
  });

  it('refuses another tenant and says what is missing, with exit 1; nothing is written', async () => {
    const to = join(tempDir('sluice-dl-refused-'), 'out');
    const refused = await run(['download', remote, '--to', to], other);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/403 this token may not read namespace 'ox' \(forbidden\)/);
    // the other tenant's own repository, naming ox's commit: not found there
    const head = (
      await send(sluice.url, 'GET', '/api/repos/ox/data/branches/main', { headers: { authorization: `Bearer ${ox}` } })
    ).json().branch.commit_id as string;
    expect((await run(['repo', 'create', '--remote', `${sluice.url}/other/mine`], other)).code).toBe(0);
    const borrowed = await run(['download', `${proxy.url}/other/mine`, '--revision', head, '--to', to], other);
    expect(borrowed.code).toBe(1);
    expect(borrowed.stderr).toMatch(/revision [0-9a-f]+ not found in other\/mine/);
    const direct = await send(sluice.url, 'GET', `/api/repos/other/mine/archive/${head}`, {
      headers: { authorization: `Bearer ${other}` },
    });
    expect(direct.status).toBe(404);
    expect(existsSync(to)).toBe(false);

    const missing = await run(['download', `${proxy.url}/ox/nothing`, '--to', to]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/repository ox\/nothing not found/);
    const badRevision = await run(['download', remote, '--revision', 'nope', '--to', to]);
    expect(badRevision.stderr).toMatch(/revision nope not found in ox\/data/);
    const badPath = await run(['download', remote, 'no/such', '--to', to]);
    expect(badPath.code).toBe(1);
    expect(badPath.stderr).toMatch(/path no\/such not found/);
    const down = await run([
      'download',
      `http://127.0.0.1:${await freePort()}/ox/data`,
      '--to',
      to,
      '--retry-for',
      '1s',
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/did not answer \(ECONNREFUSED\)/);
    expect(down.stderr).toMatch(/the server is unreachable: nothing was downloaded/);
    expect(down.stderr).not.toMatch(/run the same command again/);
    expect(existsSync(to)).toBe(false);
    const help = await run(['download', '--help']);
    expect(help.stdout).toMatch(/^usage: sluice download <remote> \[path\] \[--revision main\] \[--to DIR\]/);
  });
});
