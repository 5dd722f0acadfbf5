import { spawn } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { comparePaths, RedisKeys } from '@sluice/repository';
import { repoWithWorkspace, sendJson, waitForJob } from '../test/support/oxen-http.js';
import { repoRoot } from '../test/support/repo-root.js';
import { freshSluice, joinSluice, type BenchContext } from './bench-context.js';
import { batchFiles, makeFiles, type BenchFile } from './dataset.js';
import { maxFigure, pairedRatioFigure, type Figure, type RunPair } from './figure.js';
import { driveBatches } from './http-driver.js';
import { download, largeGzip, uploadFile } from './large-file.js';
import { cpuSeconds, median, peakRssMiB } from './measure.js';
import { sluiceDownload, verifyDownloaded } from './cli-download.js';
import { plainArchiveDownload } from './plain-archive-client.js';

/** The plain-reader ceiling server as a child process (bench/ceiling-read-server.ts). */
async function startReadCeiling(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [join(repoRoot(), 'bench/dist/bench/ceiling-read-server.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', () => reject(new Error('ceiling read server exited')));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

async function commit(baseUrl: string, workspace: string): Promise<void> {
  const reply = await sendJson(baseUrl, 'POST', `${workspace}/commit/main`, {
    message: 'bench',
    author: 'bench',
    email: 'bench@example.com',
  });
  if (reply.status !== 200) throw new Error(`commit answered ${reply.status}: ${reply.body.toString().slice(0, 300)}`);
}

/**
 * Workload 8 (issue 29, item 3): data out.
 * (a) The small-files workload's files (20,000 of 100 KiB, sent gzipped and kept so in packs),
 * committed, then downloaded whole through `GET R/archive/main/data` by a client that counts the
 * bytes; ceiling: the same files read from the local disk with readFile and written to a loopback
 * socket as a tar by a plain Node server (bench/ceiling-read-server.ts), in the same order. The
 * reads go to an API process of their own beside the one that ingested, so its CPU and peak RSS
 * are the download's alone.
 * (b) One large file (1 GiB) stored plain and one kept as the gzip member it was sent as, each
 * read through `GET R/file/main/…`; ceiling: the stored bytes (the version object; the pack's
 * range) read from disk to a socket, inflated for the kept member.
 * (c) `sluice download` of (a)'s files into an empty directory, the CLI run as a process, from
 * (a)'s reading API process; ceiling: the same archive read by a plain client that writes the same
 * files (bench/plain-archive-client.ts). Both directories are checked afterwards.
 */
export async function downloadWorkload(ctx: BenchContext): Promise<Figure[]> {
  return [...(await archiveFigures(ctx)), ...(await largeReadFigures(ctx))];
}

async function archiveFigures(ctx: BenchContext): Promise<Figure[]> {
  const count = ctx.files ?? (ctx.smoke ? 400 : 20_000);
  ctx.log(`generating ${count} CSV files of 100 KiB`);
  const files = await makeFiles(count, 100 * 1024);
  const local = mkdtempSync(join(tmpdir(), 'sluice-bench-out-'));
  // in the archive's order, the server's own rule: segment by segment, each by its UTF-8 bytes
  const names = files.map((f) => f.name).sort((a, b) => comparePaths(a.split('/'), b.split('/')));
  for (const file of files) {
    mkdirSync(dirname(join(local, file.name)), { recursive: true });
    writeFileSync(join(local, file.name), file.content);
  }
  const list = join(local, '.list');
  writeFileSync(list, names.join('\n'));
  const contentBytes = files.reduce((sum, f) => sum + f.content.length, 0);

  const { sluice, env } = await freshSluice(ctx, 'fs');
  const pairs: RunPair[] = [];
  const cliPairs: RunPair[] = [];
  const cpu: number[] = [];
  let rss: number;
  try {
    const ws = await repoWithWorkspace(sluice.url, 'bench', 'out', 'ws');
    const sent = await driveBatches(sluice.url, `${ws}/files/data`, batchFiles(files), 8);
    if (sent.failures.length > 0) throw new Error(`upload failed: ${sent.failures[0]}`);
    await commit(sluice.url, ws);
    const reader = await joinSluice(ctx, env, 'api');
    try {
      // once untimed, both sides: the files and packs were just written, and this machine's
      // first reads of fresh page cache cost more than later ones (bench/README.md)
      const warm = await startReadCeiling();
      await download(`${warm.url}/tar?dir=${encodeURIComponent(local)}&list=${encodeURIComponent(list)}`);
      warm.stop();
      await download(`${reader.url}/api/repos/bench/out/archive/main/data`);
      for (let run = 0; run < ctx.runs; run++) {
        const ceilingServer = await startReadCeiling();
        let started = process.hrtime.bigint();
        const ceilingBytes = await download(
          `${ceilingServer.url}/tar?dir=${encodeURIComponent(local)}&list=${encodeURIComponent(list)}`,
        );
        const ceiling = count / seconds(started);
        ceilingServer.stop();
        if (ceilingBytes < contentBytes) throw new Error(`the ceiling sent ${ceilingBytes} bytes of ${contentBytes}`);
        const cpuBefore = cpuSeconds(reader.pid);
        started = process.hrtime.bigint();
        const bytes = await download(`${reader.url}/api/repos/bench/out/archive/main/data`);
        const rate = count / seconds(started);
        cpu.push(((cpuSeconds(reader.pid) - cpuBefore) * 1000) / count);
        // each entry: a pax header and its record (2 blocks), the entry's header, the bytes padded
        if (bytes < contentBytes + count * 1536)
          throw new Error(`the archive held ${bytes} bytes for ${contentBytes} of content`);
        pairs.push({ value: rate, ceiling });
        ctx.log(
          `archive run ${run + 1}: ceiling ${ceiling.toFixed(0)} files/s, ` +
            `sluice ${rate.toFixed(0)} files/s (${(rate / ceiling).toFixed(2)}x), ` +
            `${cpu.at(-1)!.toFixed(2)} CPU-s per 1,000 files`,
        );
      }
      rss = peakRssMiB(reader.pid);
      cliPairs.push(...(await cliRuns(ctx, reader.url, files)));
    } finally {
      await reader.stop();
    }
  } finally {
    await sluice.stop();
    rmSync(local, { recursive: true, force: true });
  }
  return [
    pairedRatioFigure(
      `small files (${count} of 100 KiB) downloaded through GET R/archive vs a plain disk-to-socket tar: files/s`,
      pairs,
      'files/s',
      0.8,
    ),
    maxFigure('archive download: CPU-seconds per 1,000 files, reading API process', median(cpu), 's', null),
    maxFigure('archive download: peak RSS, reading API process', rss, 'MiB', 256),
    pairedRatioFigure(
      `sluice download of the ${count} small files into an empty directory ` +
        'vs a plain client of GET R/archive writing the same files: files/s',
      cliPairs,
      'files/s',
      0.8,
    ),
  ];
}

/**
 * `sluice download` (the CLI as a process, wall time from spawn to exit) of the committed files
 * into an empty directory, against the plain archive client (bench/plain-archive-client.ts) writing
 * them into another; both from the same reading API process, each directory checked afterwards
 * (every file, its size, every 50th file's hash) and removed.
 */
async function cliRuns(ctx: BenchContext, readerUrl: string, files: BenchFile[]): Promise<RunPair[]> {
  const pairs: RunPair[] = [];
  for (let run = 0; run < ctx.runs; run++) {
    const plainDir = mkdtempSync(join(tmpdir(), 'sluice-bench-plain-'));
    const cliDir = join(mkdtempSync(join(tmpdir(), 'sluice-bench-cli-')), 'out');
    try {
      let started = process.hrtime.bigint();
      const written = await plainArchiveDownload(`${readerUrl}/api/repos/bench/out/archive/main/data`, plainDir);
      const ceiling = files.length / seconds(started);
      if (written !== files.length) throw new Error(`the plain client wrote ${written} of ${files.length} files`);
      verifyDownloaded(plainDir, files, 50);
      rmSync(plainDir, { recursive: true, force: true });
      started = process.hrtime.bigint();
      const summary = await sluiceDownload([`${readerUrl}/bench/out`, 'data', '--revision', 'main', '--to', cliDir]);
      const rate = files.length / seconds(started);
      if (summary.fetched !== files.length || summary.failed.length > 0) {
        const failed = summary.failed.length;
        throw new Error(`sluice download fetched ${summary.fetched} of ${files.length}, ${failed} failed`);
      }
      verifyDownloaded(cliDir, files, 50);
      pairs.push({ value: rate, ceiling });
      ctx.log(
        `sluice download run ${run + 1}: plain client ${ceiling.toFixed(0)} files/s, ` +
          `sluice download ${rate.toFixed(0)} files/s (${(rate / ceiling).toFixed(2)}x; ` +
          `the CLI's own clock ${summary.seconds.toFixed(1)} s), every file checked`,
      );
    } finally {
      rmSync(plainDir, { recursive: true, force: true });
      rmSync(dirname(cliDir), { recursive: true, force: true });
    }
  }
  return pairs;
}

/**
 * The gzip file's inflated twin, its first byte changed (the same content would be stored once,
 * as the kept member), made once and kept in tmp beside it.
 */
async function plainTwin(gz: string): Promise<string> {
  const path = `${gz}.plain`;
  if (existsSync(path)) return path;
  let first = true;
  const changeFirstByte = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (first && chunk.length > 0) {
        chunk[0] = chunk[0]! ^ 0xff;
        first = false;
      }
      done(null, chunk);
    },
  });
  await pipeline(createReadStream(gz), createGunzip(), changeFirstByte, createWriteStream(`${path}.part`));
  renameSync(`${path}.part`, path);
  return path;
}

async function largeReadFigures(ctx: BenchContext): Promise<Figure[]> {
  const bytes = ctx.smoke ? 64 * 1024 * 1024 : 1024 ** 3;
  ctx.log(`preparing a file of ${bytes / 1024 ** 2} MiB, gzipped and plain`);
  const gz = await largeGzip(bytes);
  const plain = await plainTwin(gz);
  const { sluice, env } = await freshSluice(ctx, 'fs');
  const kinds = { plain: [] as RunPair[], gzip: [] as RunPair[] };
  try {
    const ws = await repoWithWorkspace(sluice.url, 'bench', 'large-out', 'ws');
    const stored: Record<'plain' | 'gzip', { path: string; start: number; length: number; gunzip: boolean }> =
      {} as never;
    for (const [kind, file, part] of [
      ['gzip', gz, { filename: 'big.csv', type: 'application/gzip' }],
      ['plain', plain, { filename: 'big.bin', type: 'application/octet-stream' }],
    ] as const) {
      const accepted = await uploadFile(sluice.url, `${ws}/files/data`, file, undefined, part);
      if (accepted.status !== 202 || !accepted.location) throw new Error(`${kind} upload answered ${accepted.status}`);
      const job = await waitForJob(sluice.url, accepted.location, 900_000);
      const hash = job.files?.[0]?.hash as string | undefined;
      if (job.state !== 'completed' || hash === undefined)
        throw new Error(`${kind} upload job: ${JSON.stringify(job).slice(0, 300)}`);
      // the content bucket's value: a pack location, or '' for a version stored as an object of its own
      const packed = await ctx.redis.hget(new RedisKeys(env.SLUICE_KEY_PREFIX!).contentBucket(hash), hash);
      if (packed !== null && packed !== '') {
        const [pack, offset, length, size] = packed.split(' ');
        stored[kind] = {
          path: join(env.SLUICE_DATA_DIR!, 'packs', pack!),
          start: Number(offset),
          length: Number(length),
          gunzip: size !== undefined,
        };
      } else {
        stored[kind] = {
          path: join(env.SLUICE_DATA_DIR!, 'versions', hash.slice(0, 2), hash.slice(2)),
          start: 0,
          length: bytes,
          gunzip: false,
        };
      }
      ctx.log(`${kind}: stored ${stored[kind].gunzip ? 'as a kept gzip member' : 'plain'} in ${stored[kind].path}`);
    }
    await commit(sluice.url, ws);
    const ceilingServer = await startReadCeiling();
    try {
      // once untimed, both sides (see archiveFigures)
      for (const kind of ['plain', 'gzip'] as const) {
        const { path, start, length, gunzip } = stored[kind];
        await download(
          `${ceilingServer.url}/file?path=${encodeURIComponent(path)}` +
            `&start=${start}&length=${length}&gunzip=${gunzip ? 1 : 0}`,
        );
        await download(
          `${sluice.url}/api/repos/bench/large-out/file/main/data/${kind === 'plain' ? 'big.bin' : 'big.csv'}`,
        );
      }
      for (let run = 0; run < ctx.runs; run++) {
        for (const kind of ['plain', 'gzip'] as const) {
          const { path, start, length, gunzip } = stored[kind];
          let started = process.hrtime.bigint();
          const ceilingBytes = await download(
            `${ceilingServer.url}/file?path=${encodeURIComponent(path)}` +
              `&start=${start}&length=${length}&gunzip=${gunzip ? 1 : 0}`,
          );
          const ceiling = ceilingBytes / 1024 ** 2 / seconds(started);
          started = process.hrtime.bigint();
          const got = await download(
            `${sluice.url}/api/repos/bench/large-out/file/main/data/${kind === 'plain' ? 'big.bin' : 'big.csv'}`,
          );
          const rate = got / 1024 ** 2 / seconds(started);
          if (got !== bytes || ceilingBytes !== bytes)
            throw new Error(`${kind}: read ${got} and ${ceilingBytes} bytes of ${bytes}`);
          kinds[kind].push({ value: rate, ceiling });
          ctx.log(
            `large ${kind}, run ${run + 1}: ceiling ${ceiling.toFixed(0)} MiB/s, sluice ${rate.toFixed(0)} ` +
              `MiB/s (${(rate / ceiling).toFixed(2)}x)`,
          );
        }
      }
    } finally {
      ceilingServer.stop();
    }
  } finally {
    await sluice.stop();
  }
  const mib = bytes / 1024 ** 2;
  return [
    pairedRatioFigure(
      `one large file (${mib} MiB, stored plain) through GET R/file vs disk to socket: MiB/s`,
      kinds.plain,
      'MiB/s',
      0.8,
    ),
    pairedRatioFigure(
      `one large file (${mib} MiB, kept gzip member) through GET R/file vs disk, inflate, socket: MiB/s`,
      kinds.gzip,
      'MiB/s',
      0.8,
    ),
  ];
}
