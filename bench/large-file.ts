import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import { repoWithWorkspace, waitForJob } from '../test/support/oxen-http.js';
import { repoRoot } from '../test/support/repo-root.js';
import type { SluiceProcess } from '../test/support/sluice-process.js';
import { freshSluice, joinSluice, type BenchContext } from './bench-context.js';
import { csvRows, jsonLines, prng } from './dataset.js';
import { maxFigure, pairedRatioFigure, type Figure, type RunPair } from './figure.js';
import { median, peakRssMiB } from './measure.js';

const run = promisify(execFile);

/**
 * A gzip file inflating to `bytes`, made once and kept in tmp: 3/4 text, 1/4 random. `mixed` text
 * is CSV rows (the file compresses ~1.7:1, inflating is the work); `compressible` text is JSON
 * lines (~4:1, so writing the inflated version is).
 */
export async function largeGzip(bytes: number, kind: 'mixed' | 'compressible' = 'mixed'): Promise<string> {
  // v2: the v1 pool of rows was shorter than a block, so its "CSV" blocks were a few KiB each and
  // the file inflated to 560 MiB (mostly the random quarter) instead of `bytes`.
  const path = join(tmpdir(), `sluice-bench-large-v2-${kind === 'mixed' ? '' : `${kind}-`}${bytes}.gz`);
  if (existsSync(path)) return path;
  const random = prng(7);
  const mib = 1024 * 1024;
  const pool = (kind === 'mixed' ? csvRows(random, 50_000) : jsonLines(random, 30_000)).join('');
  if (pool.length <= 2 * mib) throw new Error('the row pool must be larger than a block');
  const source = Readable.from(
    (function* () {
      for (let done = 0; done < bytes; done += mib) {
        if ((done / mib) % 4 === 3) {
          const block = Buffer.allocUnsafe(mib);
          for (let i = 0; i < mib; i += 4) block.writeUInt32LE(Math.floor(random() * 4294967296), i);
          yield block;
        } else {
          const start = Math.floor(random() * (pool.length - mib));
          yield Buffer.from(pool.slice(start, start + mib));
        }
      }
    })(),
  );
  await pipeline(source, createGzip(), createWriteStream(`${path}.part`));
  renameSync(`${path}.part`, path);
  return path;
}

/** Lets bytes through at most at `bytesPerSecond`, like a client behind a network link. */
class Pacer extends Transform {
  private sent = 0;
  private readonly started = Date.now();

  constructor(private readonly bytesPerSecond: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.sent += chunk.length;
    const due = this.started + (this.sent / this.bytesPerSecond) * 1000;
    setTimeout(() => done(null, chunk), Math.max(0, due - Date.now()));
  }
}

/**
 * Streams a file as one gzip part of a multipart upload, at most at `pace` bytes/s when given;
 * resolves with the answer and when (hrtime) the last byte was handed to the socket.
 */
export function uploadFile(
  baseUrl: string,
  path: string,
  file: string,
  pace?: number,
  part = { filename: 'big.csv', type: 'application/gzip' },
): Promise<{ status: number; location: string | undefined; sentAt: bigint }> {
  const boundary = 'sluicebenchboundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file[]"; ` +
      `filename="${part.filename}"\r\nContent-Type: ${part.type}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL(baseUrl);
  let sentAt = 0n;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path,
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + statSync(file).size + tail.length),
          prefer: 'respond-async',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, sentAt }));
      },
    );
    req.on('error', reject);
    req.write(head);
    const read = createReadStream(file, { highWaterMark: 1024 * 1024 });
    const stream = pace === undefined ? read : read.pipe(new Pacer(pace));
    stream.pipe(req, { end: false });
    stream.on('end', () => {
      sentAt = process.hrtime.bigint();
      req.end(tail);
    });
  });
}

/** Workload 3: one gzip part inflating to 2 GiB, asynchronous, against a bare gunzip + xxh3 stream. */
export async function largeFile(ctx: BenchContext): Promise<Figure[]> {
  const bytes = ctx.smoke ? 64 * 1024 * 1024 : 2 * 1024 ** 3;
  ctx.log(`preparing a gzip file inflating to ${bytes / 1024 ** 2} MiB`);
  const file = await largeGzip(bytes);
  const compressible = await largeGzip(bytes, 'compressible');
  ctx.log(
    `compressed ${(bytes / statSync(file).size).toFixed(1)}:1 (mixed) and ` +
      `${(bytes / statSync(compressible).size).toFixed(1)}:1 (compressible)`,
  );
  const mib = bytes / 1024 ** 2;
  const ceilingRate = async (path: string) => {
    const { stdout } = await run(process.execPath, [join(repoRoot(), 'bench/dist/bench/ceiling-stream.js'), path], {
      maxBuffer: 1024 * 1024,
    });
    return mib / Number(stdout.split(' ')[0]);
  };
  const figures: Figure[] = [];
  // fsync on is the default (an acknowledged file survives a power cut); off shows the pipeline
  // itself, since the ceiling writes nothing. API and worker as two processes is the scaled-out
  // shape; one process (`npm start`) is the embedded default.
  const variants = [
    { mode: 'fsync on', fsync: 'true', split: true, path: file },
    { mode: 'fsync off', fsync: 'false', split: true, path: file },
    { mode: 'one process, fsync on', fsync: 'true', split: false, path: file },
    { mode: 'highly compressible, fsync on', fsync: 'true', split: true, path: compressible },
  ];
  for (const { mode, fsync, split, path } of variants) {
    const pairs: RunPair[] = [];
    let apiRss = 0;
    let workerRss = 0;
    for (let i = 0; i < ctx.runs; i++) {
      const ceiling = await ceilingRate(path);
      const { sluice: api, env } = await freshSluice(ctx, 'fs', {
        SLUICE_ROLE: split ? 'api' : 'all',
        SLUICE_FS_FSYNC: fsync,
      });
      const worker = split ? await joinSluice(ctx, env, 'worker') : api;
      try {
        const ws = await repoWithWorkspace(api.url, 'bench', 'large', 'ws');
        const started = process.hrtime.bigint();
        const accepted = await uploadFile(api.url, `${ws}/files/data`, path);
        if (accepted.status !== 202 || !accepted.location) throw new Error(`upload answered ${accepted.status}`);
        const acceptedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
        const job = await waitForJob(api.url, accepted.location, 600_000);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (job.state !== 'completed' || job.paths?.length !== 1)
          throw new Error(`large file job: ${JSON.stringify(job).slice(0, 300)}`);
        const rate = mib / seconds;
        pairs.push({ value: rate, ceiling });
        apiRss = Math.max(apiRss, peakRssMiB(api.pid));
        workerRss = Math.max(workerRss, peakRssMiB(worker.pid));
        ctx.log(
          `${mode}, run ${i + 1}: ceiling ${ceiling.toFixed(0)} MiB/s, sluice ${rate.toFixed(0)} MiB/s ` +
            `(${(rate / ceiling).toFixed(2)}x; 202 after ${acceptedSeconds.toFixed(1)} s, done after ` +
            `${seconds.toFixed(1)} s), peak RSS api ${apiRss.toFixed(0)} MiB, worker ${workerRss.toFixed(0)} MiB`,
        );
      } finally {
        if (split) await worker.stop();
        await api.stop();
      }
    }
    figures.push(
      pairedRatioFigure(`one large gzip file (${mib} MiB inflated, ${mode}): MiB/s`, pairs, 'MiB/s', 0.7),
      ...(split
        ? [
            maxFigure(`one large gzip file (${mode}): peak RSS, API process`, apiRss, 'MiB', 256),
            maxFigure(`one large gzip file (${mode}): peak RSS, worker process`, workerRss, 'MiB', 256),
          ]
        : [maxFigure(`one large gzip file (${mode}): peak RSS`, apiRss, 'MiB', 256)]),
    );
  }
  figures.push(await pacedUpload(ctx, file), await concurrentUploads(ctx, file), await readBack(ctx, file));
  return figures;
}

/**
 * The staged file read back whole (`GET …/files/{path}`, counted and dropped by the client), api +
 * worker, fsync on: the price of keeping a large part gzipped as sent is an inflate on each read.
 */
async function readBack(ctx: BenchContext, file: string): Promise<Figure> {
  const rates: number[] = [];
  for (let i = 0; i < ctx.runs; i++) {
    await withApiAndWorker(ctx, async (api) => {
      const ws = await repoWithWorkspace(api.url, 'bench', 'read-back', 'ws');
      const accepted = await uploadFile(api.url, `${ws}/files/data`, file);
      if (accepted.status !== 202 || !accepted.location)
        throw new Error(`read-back upload answered ${accepted.status}`);
      const job = await waitForJob(api.url, accepted.location, 600_000);
      if (job.state !== 'completed') throw new Error(`read-back upload job: ${JSON.stringify(job).slice(0, 300)}`);
      const started = process.hrtime.bigint();
      const bytes = await download(`${api.url}${ws}/files/data/big.csv`);
      const rate = bytes / 1024 ** 2 / (Number(process.hrtime.bigint() - started) / 1e9);
      if (bytes !== Number(job.files?.[0]?.size))
        throw new Error(`read back ${bytes} bytes of ${String(job.files?.[0]?.size)}`);
      rates.push(rate);
      ctx.log(`read back, run ${i + 1}: ${rate.toFixed(0)} MiB/s`);
    });
  }
  return maxFigure('one large gzip file read back whole (GET …/files/{path}): MiB/s', median(rates), 'MiB/s', null);
}

/** GETs a URL and counts the body's bytes without keeping them. */
export function download(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      if (res.statusCode !== 200) reject(new Error(`GET ${url} answered ${res.statusCode}`));
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve(bytes));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/** A fresh API process and a worker process beside it (fsync on) for one run, stopped after it. */
async function withApiAndWorker(
  ctx: BenchContext,
  run: (api: SluiceProcess, worker: SluiceProcess) => Promise<void>,
): Promise<void> {
  const { sluice: api, env } = await freshSluice(ctx, 'fs', { SLUICE_ROLE: 'api', SLUICE_FS_FSYNC: 'true' });
  const worker = await joinSluice(ctx, env, 'worker');
  try {
    await run(api, worker);
  } finally {
    await worker.stop();
    await api.stop();
  }
}

/**
 * Three uploads of the same file at once into api + worker processes, fsync on: the worker's peak
 * RSS while it streams three large parts (two digests and one ingest job streaming its own),
 * where the buffers of each stream add up. Every file must be staged with the same hash.
 */
async function concurrentUploads(ctx: BenchContext, file: string): Promise<Figure> {
  let workerRss = 0;
  for (let i = 0; i < ctx.runs; i++) {
    await withApiAndWorker(ctx, async (api, worker) => {
      const started = process.hrtime.bigint();
      const jobs = await Promise.all(
        ['one', 'two', 'three'].map(async (name) => {
          const ws = await repoWithWorkspace(api.url, 'bench', `concurrent-${name}`, 'ws');
          const accepted = await uploadFile(api.url, `${ws}/files/data`, file);
          if (accepted.status !== 202 || !accepted.location)
            throw new Error(`concurrent upload answered ${accepted.status}`);
          return waitForJob(api.url, accepted.location, 600_000);
        }),
      );
      const hashes = new Set(jobs.map((job) => String(job.files?.[0]?.hash)));
      if (
        jobs.some((job) => job.state !== 'completed') ||
        hashes.size !== 1 ||
        !/^[0-9a-f]{32}$/.test([...hashes][0]!)
      ) {
        throw new Error(`concurrent large files: ${JSON.stringify(jobs).slice(0, 300)}`);
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      workerRss = Math.max(workerRss, peakRssMiB(worker.pid));
      ctx.log(
        `three at once, run ${i + 1}: all staged after ${seconds.toFixed(1)} s, peak RSS api ` +
          `${peakRssMiB(api.pid).toFixed(0)} MiB, worker ${workerRss.toFixed(0)} MiB`,
      );
    });
  }
  return maxFigure(
    'three large gzip files at once (api + worker, fsync on): peak RSS, worker process',
    workerRss,
    'MiB',
    256,
  );
}

/**
 * The same file from a client sending at 100 MiB/s (a fast network rather than loopback), API and
 * worker processes, fsync on: how long after the last byte the file is staged. Processing that
 * waits for the whole body adds the whole stream stage here; processing that overlaps the body
 * adds only its tail.
 */
async function pacedUpload(ctx: BenchContext, file: string): Promise<Figure> {
  const pace = 100 * 1024 * 1024;
  const tails: number[] = [];
  for (let i = 0; i < ctx.runs; i++) {
    await withApiAndWorker(ctx, async (api) => {
      const ws = await repoWithWorkspace(api.url, 'bench', 'paced', 'ws');
      const accepted = await uploadFile(api.url, `${ws}/files/data`, file, pace);
      if (accepted.status !== 202 || !accepted.location) throw new Error(`paced upload answered ${accepted.status}`);
      const job = await waitForJob(api.url, accepted.location, 600_000);
      if (job.state !== 'completed' || job.paths?.length !== 1)
        throw new Error(`paced large file job: ${JSON.stringify(job).slice(0, 300)}`);
      const tail = Number(process.hrtime.bigint() - accepted.sentAt) / 1e9;
      tails.push(tail);
      ctx.log(`sent at 100 MiB/s, run ${i + 1}: staged ${tail.toFixed(2)} s after the last byte`);
    });
  }
  return maxFigure(
    'one large gzip file sent at 100 MiB/s (api + worker, fsync on): staged after the last byte',
    median(tails),
    's',
    null,
  );
}
