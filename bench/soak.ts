/**
 * The soak: a mixed load against an API process and a worker process for N minutes while a fault
 * is injected every 30 s, then a check that every acknowledged file is staged or committed once,
 * with the right hash.
 *
 *   npm run soak -- --minutes N     (default 3; CI runs 3)
 *
 * Load, all at once: small-file batches (sync and async, the stock client's resend of what is
 * missing from `paths`), a large gzip part now and then, stage-by-hash of content already sent,
 * workspaces committed, and reads (listings, status, downloads). Faults, in turn: kill -9 of the
 * worker, kill -9 of the API, a Redis restart (AOF on), and the data disk filling up and freeing
 * (a tmpfs of its own when this machine mounts one). Prints throughput over time, p50/p99 latency
 * per route, the faults and the peak RSS per process; writes bench/results/soak.json and soak.svg.
 * Traffic goes to loopback only; it stops by itself.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statfsSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oxenHash } from '@sluice/core';
import { startSluice, type SluiceProcess } from '../test/support/sluice-process.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { freePort } from '../test/support/free-port.js';
import { repoRoot } from '../test/support/repo-root.js';
import { repoWithWorkspace, send, sendJson, upload, type Part, type Reply } from '../test/support/oxen-http.js';

const args = process.argv.slice(2);
const minutes = Number(args[args.indexOf('--minutes') + 1] ?? 3) || 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (message: string) => process.stderr.write(`soak: ${message}\n`);

/** A small disk of its own, so the disk can fill up; a plain directory where mounting is not allowed. */
function dataDisk(): { dir: string; mounted: boolean } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-soak-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3g', 'tmpfs', dir], { stdio: 'ignore' }).status === 0;
  return { dir, mounted };
}

/** Writes `bytes` into `path` a block at a time (a tmpfs of gigabytes is more than one Buffer holds). */
function fillUp(path: string, bytes: number): void {
  const block = Buffer.alloc(64 * 1024 * 1024);
  const fd = openSync(path, 'w');
  try {
    for (let left = bytes; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(block.length, left));
  } finally {
    closeSync(fd);
  }
}

function rssMiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const redis = await startRedisServer({ aof: true });
  const disk = dataDisk();
  const env: Record<string, string> = {
    SLUICE_REDIS_URL: redis.url,
    SLUICE_KEY_PREFIX: `soak${process.pid}`,
    SLUICE_STORE: 'fs',
    SLUICE_DATA_DIR: join(disk.dir, 'data'),
    SLUICE_FS_FSYNC: 'true',
    SLUICE_LOG_LEVEL: 'warn',
    SLUICE_SPOOL_GRACE_SECONDS: '30',
    SLUICE_THREADS: '1',
    SLUICE_MIN_FREE_BYTES: String(16 * 1024 * 1024),
  };
  const port = String(await freePort());
  const processes = { api: null as SluiceProcess | null, worker: null as SluiceProcess | null };
  const peak = { api: 0, worker: 0 };
  const start = async (role: 'api' | 'worker') => {
    processes[role] = await startSluice({
      ...env,
      SLUICE_ROLE: role,
      SLUICE_PORT: port,
      SLUICE_LOG_LEVEL: role === 'worker' ? 'info' : 'warn',
    });
  };
  await start('api');
  await start('worker');
  const base = `http://127.0.0.1:${port}`;
  const ws = await repoWithWorkspace(base, 'ox', 'soak', 'ingest');

  const deadline = Date.now() + minutes * 60_000;
  const acknowledged = new Map<string, string>(); // staged path -> hash
  const committed = new Map<string, string>(); // committed path -> hash
  const contents = new Map<string, Buffer>(); // hash -> bytes, for stage-by-hash
  const latencies = new Map<string, number[]>();
  const statuses = new Map<number, number>();
  const perBucket: number[] = [];
  const faults: string[] = [];
  const started = Date.now();

  /** One request, timed under its route's name; a connection refused (the API down) counts as status 0. */
  const timed = async (route: string, call: () => Promise<Reply>): Promise<Reply | null> => {
    const t = Date.now();
    try {
      const reply = await call();
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      const list = latencies.get(route) ?? [];
      list.push(Date.now() - t);
      latencies.set(route, list);
      return reply;
    } catch {
      statuses.set(0, (statuses.get(0) ?? 0) + 1);
      return null;
    }
  };
  const acknowledge = (path: string, hash: string) => {
    acknowledged.set(path, hash);
    const bucket = Math.floor((Date.now() - started) / 10_000);
    perBucket[bucket] = (perBucket[bucket] ?? 0) + 1;
  };
  const pollJob = async (location: string): Promise<{ paths: string[] } | null> => {
    for (let i = 0; i < 1200; i++) {
      const polled = await timed('GET /api/jobs/{id}', () => send(base, 'GET', location));
      const job = polled?.status === 200 ? polled.json().job : null;
      if (job?.state === 'completed') return job;
      if (job?.state === 'failed' || polled?.status === 404) return null;
      await sleep(200);
    }
    return null;
  };

  /** The stock client's way: send, then resend what is missing from `paths`, until all is staged. */
  const ingest = async (dir: string, parts: Part[], asyncMode: boolean, route: string) => {
    const hashes = new Map<string, string>();
    for (const part of parts) {
      const bytes = Buffer.isBuffer(part.content) ? part.content : Buffer.from(part.content);
      const hash = await oxenHash(bytes);
      hashes.set(`${dir}/${part.filename}`, hash);
      contents.set(hash, bytes);
    }
    let missing = parts;
    for (let attempt = 0; attempt < 200 && missing.length > 0; attempt++) {
      if (attempt > 0) await sleep(500);
      let paths: string[] = [];
      const reply = await timed(route, () =>
        upload(base, `${ws}/files/${dir}`, missing, asyncMode ? { prefer: 'respond-async' } : {}),
      );
      if (reply?.status === 200) paths = reply.json().paths;
      if (reply?.status === 202) paths = (await pollJob(reply.headers.location as string))?.paths ?? [];
      for (const path of paths) if (hashes.has(path)) acknowledge(path, hashes.get(path)!);
      missing = missing.filter((p) => !paths.includes(`${dir}/${p.filename}`));
    }
    if (missing.length > 0) throw new Error(`${missing.length} files of ${dir} never staged`);
  };

  let batch = 0;
  const smallLane = async (lane: number) => {
    while (Date.now() < deadline) {
      const b = batch++;
      const parts: Part[] = Array.from({ length: 25 }, (_, f) => ({
        filename: `f${f}.csv`,
        content: randomBytes(512 + ((b * 7 + f * 13) % 4096)),
        gzip: f % 3 !== 0,
      }));
      await ingest(
        `small/${b}`,
        parts,
        (b + lane) % 2 === 1,
        (b + lane) % 2 === 1 ? 'POST files (async)' : 'POST files (sync)',
      );
      // a steady load, not a flood: the soak is about time and faults, the benchmark about speed
      await sleep(500);
    }
  };
  const largeLane = async () => {
    for (let n = 0; Date.now() < deadline; n++) {
      const content = Buffer.concat([randomBytes(1024 * 1024), Buffer.alloc(5 * 1024 * 1024, `row ${n}\n`)]);
      await ingest(`large/${n}`, [{ filename: 'big.bin', content, gzip: true }], true, 'POST files (large, async)');
      await sleep(10_000);
    }
  };
  const hashLane = async () => {
    for (let n = 0; Date.now() < deadline; n++) {
      await sleep(3000);
      const known = [...acknowledged].slice(-20);
      if (known.length === 0) continue;
      const files = known.map(([, hash], i) => ({ path: `byhash/${n}/${i}.bin`, hash }));
      for (let attempt = 0; attempt < 100; attempt++) {
        const reply = await timed('POST stage_hashes', () => sendJson(base, 'POST', `${ws}/stage_hashes`, { files }));
        if (reply?.status === 200) {
          for (const path of reply.json().paths as string[])
            acknowledge(path, files.find((f) => f.path === path)!.hash);
          break;
        }
        await sleep(500);
      }
    }
  };
  const commitLane = async () => {
    for (let n = 0; Date.now() < deadline; n++) {
      await sleep(10_000);
      const name = `commit-${n}`;
      const created = await timed('PUT workspaces', () =>
        sendJson(base, 'PUT', '/api/repos/ox/soak/workspaces', { workspace_id: name, branch_name: 'main' }),
      );
      if (created?.status !== 200) continue;
      const files = Array.from({ length: 5 }, (_, i) => ({
        path: `committed/${n}/${i}.txt`,
        bytes: Buffer.from(`commit ${n} file ${i} ${randomBytes(8).toString('hex')}\n`),
      }));
      const hashes = await Promise.all(files.map((f) => oxenHash(f.bytes)));
      let sent = false;
      for (let attempt = 0; attempt < 100 && !sent; attempt++) {
        const reply = await timed('POST files (sync)', () =>
          upload(
            base,
            `/api/repos/ox/soak/workspaces/${name}/files/`,
            files.map((f) => ({ filename: f.path, content: f.bytes, gzip: true })),
          ),
        );
        sent = reply?.status === 200 && (reply.json().paths as string[]).length === files.length;
        if (!sent) await sleep(500);
      }
      for (let attempt = 0; attempt < 100; attempt++) {
        const reply = await timed('POST commit', () =>
          sendJson(base, 'POST', `/api/repos/ox/soak/workspaces/${name}/commit/main`, {
            message: name,
            author: 'soak',
            email: 'soak@example.com',
          }),
        );
        // landed, or landed on an attempt whose answer was lost (the workspace is gone then)
        if (reply?.status === 200 || (reply?.status === 404 && attempt > 0)) {
          files.forEach((f, i) => committed.set(f.path, hashes[i]!));
          break;
        }
        await sleep(500);
      }
    }
  };
  const readLane = async () => {
    while (Date.now() < deadline) {
      await timed('GET changes', () => send(base, 'GET', `${ws}/changes?page=1&page_size=100`));
      await timed('GET dir', () => send(base, 'GET', '/api/repos/ox/soak/dir/main/'));
      const some = [...committed.keys()][0];
      if (some) await timed('GET file', () => send(base, 'GET', `/api/repos/ox/soak/file/main/${some}`));
      for (const role of ['api', 'worker'] as const)
        if (processes[role]) peak[role] = Math.max(peak[role], rssMiB(processes[role]!.pid));
      await sleep(5000);
    }
  };
  const faultLane = async () => {
    const kinds = ['worker SIGKILL', 'api SIGKILL', 'redis restart', ...(disk.mounted ? ['disk full'] : [])];
    for (let n = 0; ; n++) {
      await sleep(30_000);
      if (Date.now() > deadline - 10_000) return;
      const kind = kinds[n % kinds.length]!;
      faults.push(`${Math.round((Date.now() - started) / 1000)} s: ${kind}`);
      log(`fault: ${kind}`);
      if (kind === 'worker SIGKILL' || kind === 'api SIGKILL') {
        const role = kind.startsWith('worker') ? 'worker' : 'api';
        await processes[role]!.kill();
        processes[role] = null;
        await sleep(1000);
        await start(role);
      } else if (kind === 'redis restart') {
        await redis.restart();
      } else {
        const filler = join(disk.dir, 'filler');
        const free = statfsSync(disk.dir).bavail * statfsSync(disk.dir).bsize;
        fillUp(filler, Math.max(0, free - 4 * 1024 * 1024));
        await sleep(5000);
        rmSync(filler, { force: true });
      }
    }
  };

  log(
    `${minutes} min of mixed load, a fault every 30 s ` +
      `(${disk.mounted ? 'data on a 3 GiB tmpfs' : 'no tmpfs: no disk-full fault'})`,
  );
  await Promise.all([
    smallLane(0),
    smallLane(1),
    smallLane(2),
    largeLane(),
    hashLane(),
    commitLane(),
    readLane(),
    faultLane(),
  ]);
  log('load done; checking');

  // every acknowledged file staged once with its content's hash, nothing else; every commit's files on main
  // one page holding every staged entry: the status route reads the whole index per request
  const everything = (await send(base, 'GET', `${ws}/changes?page=1&page_size=10000000`)).json().staged as Record<
    string,
    { entries: Array<{ filename: string; hash: string }> }
  >;
  const staged = new Map<string, { hash: string }>();
  for (const list of ['added_files', 'modified_files'])
    for (const e of everything[list]!.entries) staged.set(e.filename, { hash: e.hash });
  const lost = [...acknowledged].filter(([path, hash]) => staged.get(path)?.hash !== hash);
  const extra = [...staged.keys()].filter((path) => !acknowledged.has(path));
  const missingCommitted: string[] = [];
  for (const [path, hash] of committed) {
    const dir = path.slice(0, path.lastIndexOf('/'));
    const listing = await send(base, 'GET', `/api/repos/ox/soak/dir/main/${dir}?page_size=100`);
    const entry =
      listing.status === 200
        ? (listing.json().entries as Array<{ filename: string; hash: string }>).find(
            (e) => `${dir}/${e.filename}` === path,
          )
        : undefined;
    if (entry?.hash !== hash) missingCommitted.push(path);
  }
  const percentile = (values: number[], p: number) =>
    [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0;
  const routes = Object.fromEntries(
    [...latencies].map(([route, values]) => [
      route,
      { requests: values.length, p50_ms: percentile(values, 0.5), p99_ms: percentile(values, 0.99) },
    ]),
  );
  const result = {
    minutes,
    files_acknowledged: acknowledged.size,
    files_committed: committed.size,
    lost: lost.length,
    duplicated: extra.length,
    committed_missing: missingCommitted.length,
    faults,
    answers: Object.fromEntries(statuses),
    routes,
    files_per_10s: perBucket.map((n) => n ?? 0),
    peak_rss_mib: { api: Math.round(peak.api), worker: Math.round(peak.worker) },
  };
  const results = join(repoRoot(), 'bench/results');
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'soak.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(results, 'soak.svg'), chart(result.files_per_10s, faults, minutes));
  process.stdout.write(`\n${JSON.stringify(result, null, 2)}\n`);

  for (const role of ['api', 'worker'] as const) await processes[role]?.stop();
  await redis.stop();
  if (disk.mounted) spawnSync('umount', [disk.dir]);
  rmSync(disk.dir, { recursive: true, force: true });
  const failed =
    lost.length > 0 ||
    extra.length > 0 ||
    missingCommitted.length > 0 ||
    acknowledged.size === 0 ||
    (statuses.get(500) ?? 0) > 0;
  log(
    failed
      ? 'FAILED: files lost, duplicated or uncommitted, or a 500'
      : `passed: ${acknowledged.size} files acknowledged, ${committed.size} committed, 0 lost, 0 duplicated`,
  );
  process.exit(failed ? 1 : 0);
}

/** Files acknowledged per 10 s as bars, with the faults marked. */
function chart(buckets: number[], faults: string[], minutes: number): string {
  const width = 800;
  const height = 260;
  const max = Math.max(1, ...buckets);
  const step = (width - 60) / Math.max(1, buckets.length);
  const bars = buckets.map(
    (n, i) =>
      `<rect x="${50 + i * step}" y="${230 - (n / max) * 190}" width="${Math.max(1, step - 1)}" ` +
      `height="${(n / max) * 190}" fill="#2e7d32"/>`,
  );
  const marks = faults.map((f) => {
    const seconds = Number(/^(\d+) s/.exec(f)?.[1] ?? 0);
    const x = 50 + (seconds / 10) * step;
    return (
      `<line x1="${x}" x2="${x}" y1="30" y2="230" stroke="#c62828" stroke-dasharray="3,2"/><text x="${x + 2}" ` +
      `y="40" font-size="9" fill="#c62828">${f.replace(/^\d+ s: /, '')}</text>`
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="20" font-size="13" font-weight="bold">\
sluice soak, ${minutes} min: files acknowledged per 10 s (max ${max}); red: faults</text>
${bars.join('\n')}
${marks.join('\n')}
<line x1="50" x2="${width - 10}" y1="230" y2="230" stroke="#999"/>
</svg>\n`;
}

main().catch((error: unknown) => {
  log(`FAILED: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
