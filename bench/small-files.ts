import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { Client } from 'minio';
import { mapLimit } from '@sluice/core';
import { repoWithWorkspace } from '../test/support/oxen-http.js';
import { repoRoot } from '../test/support/repo-root.js';
import type { BenchContext } from './bench-context.js';
import { freshSluice, joinSluice } from './bench-context.js';
import { batchFiles, makeFiles, type BenchFile } from './dataset.js';
import { maxFigure, pairedRatioFigure, type Figure, type RunPair } from './figure.js';
import { driveBatches } from './http-driver.js';
import {
  bytesUnder,
  commandsPer,
  cpuSeconds,
  median,
  redisCommandCounts,
  redisCommands,
  storeRequests,
  totalRequests,
} from './measure.js';

const concurrency = 8;

async function stagedCount(baseUrl: string, workspacePath: string): Promise<number> {
  const reply = await fetch(`${baseUrl}${workspacePath}/changes?page_size=1`);
  return ((await reply.json()) as { staged: { added_files: { total_entries: number } } }).staged.added_files
    .total_entries;
}

/** The ceiling server as a child process; resolves with its URL and a stop function. */
async function startCeiling(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [join(repoRoot(), 'bench/dist/bench/ceiling-server.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', () => reject(new Error('ceiling server exited')));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

/**
 * Workloads 1 and 4: small files into the filesystem store, against the bare-multipart ceiling, and their round trips.
 */
export async function smallFilesFs(ctx: BenchContext): Promise<Figure[]> {
  const count = ctx.files ?? (ctx.smoke ? 400 : 20_000);
  ctx.log(`generating ${count} CSV files of 100 KiB`);
  const files = await makeFiles(count, 100 * 1024);
  const batches = batchFiles(files);
  ctx.log(`${batches.length} batches of ~${Math.round(files.length / batches.length)} files`);

  const pairs: RunPair[] = [];
  /** One run of the bare-multipart ceiling, in files/s. */
  const ceilingRate = async () => {
    const ceiling = await startCeiling();
    const bare = await driveBatches(ceiling.url, '/upload', batches, concurrency);
    ceiling.stop();
    if (bare.failures.length > 0) throw new Error(`ceiling failed: ${bare.failures[0]}`);
    return count / bare.seconds;
  };
  let rounds:
    | {
        redisNew: number;
        redisRe: number;
        storeNew: number;
        fsyncsNew: number;
        storedPerIngested: number;
        versionWritesRe: number;
        staged: number;
      }
    | undefined;
  const clientCpu: number[] = [];
  for (let run = 0; run < ctx.runs; run++) {
    const ceiling = await ceilingRate();
    const { sluice, env } = await freshSluice(ctx, 'fs');
    try {
      const ws = await repoWithWorkspace(sluice.url, 'bench', 'small', 'ws');
      const redisBefore = await redisCommands(ctx.redis);
      const countsBefore = await redisCommandCounts(ctx.redis);
      const storeCountsBefore = await storeRequests(sluice.url);
      const storeBefore = totalRequests(storeCountsBefore);
      const cpuBefore = process.cpuUsage();
      const result = await driveBatches(sluice.url, `${ws}/files/data`, batches, concurrency);
      const cpu = process.cpuUsage(cpuBefore);
      clientCpu.push((cpu.user + cpu.system) / 1e6 / count);
      if (result.failures.length > 0) throw new Error(`sluice failed: ${result.failures[0]}`);
      const rate = count / result.seconds;
      pairs.push({ value: rate, ceiling });
      const redisAfter = await redisCommands(ctx.redis);
      if (run === 0)
        ctx.log(
          `Redis commands per new file: ${commandsPer(countsBefore, await redisCommandCounts(ctx.redis), count)}`,
        );
      const storeAfter = await storeRequests(sluice.url);
      const staged = await stagedCount(sluice.url, ws);
      ctx.log(
        `run ${run + 1}: ceiling ${ceiling.toFixed(0)} files/s, sluice ${rate.toFixed(0)} files/s ` +
          `(${(rate / ceiling).toFixed(2)}x), staged ${staged}/${count}`,
      );
      if (run === 0) {
        // the same files again, into a second workspace: content the version store has
        const again = await repoWithWorkspace(sluice.url, 'bench', 'again', 'ws');
        const redisMid = await redisCommands(ctx.redis);
        const countsMid = await redisCommandCounts(ctx.redis);
        await driveBatches(sluice.url, `${again}/files/data`, batches, concurrency);
        const redisEnd = await redisCommands(ctx.redis);
        const perRe = commandsPer(countsMid, await redisCommandCounts(ctx.redis), count);
        ctx.log(`Redis commands per re-uploaded file: ${perRe}`);
        const storeEnd = await storeRequests(sluice.url);
        // every durable write is one fsync on the fs store: the spool's and the version store's
        const durableWrites = (counts: Record<string, Record<string, number>>) =>
          ['spool', 'packs', 'versions'].reduce((sum, area) => sum + totalRequests(counts, area, 'put'), 0);
        const ingested = files.reduce((sum, f) => sum + f.content.length, 0);
        rounds = {
          redisNew: (redisAfter - redisBefore) / count,
          redisRe: (redisEnd - redisMid) / count,
          storeNew: (totalRequests(storeAfter) - storeBefore) / count,
          fsyncsNew: (durableWrites(storeAfter) - durableWrites(storeCountsBefore)) / count,
          storedPerIngested:
            (bytesUnder(join(env.SLUICE_DATA_DIR!, 'packs')) + bytesUnder(join(env.SLUICE_DATA_DIR!, 'versions'))) /
            ingested,
          versionWritesRe: totalRequests(storeEnd, 'versions', 'put') - totalRequests(storeAfter, 'versions', 'put'),
          staged,
        };
      }
    } finally {
      await sluice.stop();
    }
  }
  // The same with the API and the worker as two processes (SLUICE_ROLE=api and worker): the front
  // door's parsing and the worker's orchestration then run on two event loops instead of one.
  const splitPairs: RunPair[] = [];
  const apiCpu: number[] = [];
  const workerCpu: number[] = [];
  for (let run = 0; run < ctx.runs; run++) {
    const ceiling = await ceilingRate();
    const { sluice: api, env } = await freshSluice(ctx, 'fs', { SLUICE_ROLE: 'api' });
    const worker = await joinSluice(ctx, env, 'worker');
    try {
      const ws = await repoWithWorkspace(api.url, 'bench', 'split', 'ws');
      const [apiBefore, workerBefore] = [cpuSeconds(api.pid), cpuSeconds(worker.pid)];
      const result = await driveBatches(api.url, `${ws}/files/data`, batches, concurrency);
      apiCpu.push(((cpuSeconds(api.pid) - apiBefore) * 1000) / count);
      workerCpu.push(((cpuSeconds(worker.pid) - workerBefore) * 1000) / count);
      if (result.failures.length > 0) throw new Error(`sluice (api + worker) failed: ${result.failures[0]}`);
      const rate = count / result.seconds;
      splitPairs.push({ value: rate, ceiling });
      ctx.log(
        `run ${run + 1}: ceiling ${ceiling.toFixed(0)} files/s, sluice as api + worker processes ` +
          `${rate.toFixed(0)} files/s (${(rate / ceiling).toFixed(2)}x), staged ` +
          `${await stagedCount(api.url, ws)}/${count}`,
      );
    } finally {
      await worker.stop();
      await api.stop();
    }
  }
  return [
    pairedRatioFigure('small files, fs store: files/s', pairs, 'files/s', 0.8),
    pairedRatioFigure('small files, fs store, api + worker processes: files/s', splitPairs, 'files/s', 0.8),
    {
      ...maxFigure('small files, fs store: files staged', rounds!.staged, 'files', null),
      target: `= ${count}`,
      met: rounds!.staged === count,
    },
    maxFigure("small files: the benchmark client's CPU per file", median(clientCpu) * 1e6, 'µs', null),
    maxFigure('small files, api + worker: CPU-seconds per 1,000 files, API process', median(apiCpu), 's', null),
    maxFigure('small files, api + worker: CPU-seconds per 1,000 files, worker process', median(workerCpu), 's', null),
    maxFigure('round trips: Redis commands per new file', rounds!.redisNew, 'commands', 3),
    maxFigure('round trips: Redis commands per re-uploaded file', rounds!.redisRe, 'commands', 3),
    maxFigure('round trips: object-store requests per new file', rounds!.storeNew, 'requests', 0.05),
    maxFigure('round trips: fsyncs (durable writes) per new file', rounds!.fsyncsNew, 'fsyncs', 0.05),
    maxFigure('round trips: version-store writes on re-upload', rounds!.versionWritesRe, 'writes', 0),
    maxFigure('bytes stored (packs and versions) per byte ingested', rounds!.storedPerIngested, 'bytes', null),
    ...(await rereadFigures(ctx, files.slice(0, 1000))),
  ];
}

/** Workload 2: small files into the S3 store, against plain putObject of the same contents. */
export async function smallFilesS3(ctx: BenchContext): Promise<Figure[]> {
  if (ctx.s3 === null) return [];
  const count = ctx.files ?? (ctx.smoke ? 300 : 20_000);
  const files = await makeFiles(count, 100 * 1024, 2);
  const batches = batchFiles(files);
  const url = new URL(ctx.s3.endpoint);
  const client = new Client({
    endPoint: url.hostname,
    port: Number(url.port),
    useSSL: false,
    accessKey: ctx.s3.accessKey,
    secretKey: ctx.s3.secretKey,
    region: ctx.s3.region,
    pathStyle: true,
  });
  const pairs: RunPair[] = [];
  const requests: number[] = [];
  for (let run = 0; run < ctx.runs; run++) {
    const bucket = `ceiling${process.pid}x${run}`;
    await client.makeBucket(bucket, ctx.s3.region);
    const started = process.hrtime.bigint();
    await mapLimit(files, concurrency, (f: BenchFile) =>
      client.putObject(bucket, f.name, f.content, f.content.length).then(() => undefined),
    );
    const ceiling = count / (Number(process.hrtime.bigint() - started) / 1e9);

    const { sluice } = await freshSluice(ctx, 's3');
    try {
      const ws = await repoWithWorkspace(sluice.url, 'bench', 'small', 'ws');
      const before = totalRequests(await storeRequests(sluice.url));
      const result = await driveBatches(sluice.url, `${ws}/files/data`, batches, concurrency);
      if (result.failures.length > 0) throw new Error(`sluice failed: ${result.failures[0]}`);
      const rate = count / result.seconds;
      pairs.push({ value: rate, ceiling });
      requests.push((totalRequests(await storeRequests(sluice.url)) - before) / count);
      ctx.log(
        `run ${run + 1}: putObject ${ceiling.toFixed(0)} files/s, sluice ${rate.toFixed(0)} files/s ` +
          `(${(rate / ceiling).toFixed(2)}x), staged ${await stagedCount(sluice.url, ws)}/${count}`,
      );
    } finally {
      await sluice.stop();
    }
  }
  return [
    pairedRatioFigure(`small files, S3 store (${count} files) vs plain per-object PUTs: files/s`, pairs, 'files/s', 5),
    maxFigure('small files, S3 store: S3 requests per new file', median(requests), 'requests', 0.05),
  ];
}

/** GETs every file through sluice's workspace route, `concurrency` at once; files/s. */
async function readAll(baseUrl: string, workspacePath: string, names: readonly string[]): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(baseUrl);
  const get = (name: string) =>
    new Promise<void>((resolve, reject) => {
      request({ host: url.hostname, port: url.port, path: `${workspacePath}/files/data/${name}`, agent }, (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`read ${name}: ${res.statusCode}`)),
        );
      })
        .on('error', reject)
        .end();
    });
  const started = process.hrtime.bigint();
  await mapLimit(names, concurrency, get);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return names.length / seconds;
}

/** Re-reading 1,000 small files stored in packs, against the same files stored one object each (packs off). */
async function rereadFigures(ctx: BenchContext, files: BenchFile[]): Promise<Figure[]> {
  const batches = batchFiles(files);
  const pairs: RunPair[] = [];
  for (let run = 0; run < ctx.runs; run++) {
    const rates: number[] = [];
    for (const packBelow of ['0', String(4 * 1024 * 1024)]) {
      const { sluice } = await freshSluice(ctx, 'fs', { SLUICE_PACK_BELOW_BYTES: packBelow });
      try {
        const ws = await repoWithWorkspace(sluice.url, 'bench', 'reread', 'ws');
        const sent = await driveBatches(sluice.url, `${ws}/files/data`, batches, concurrency);
        if (sent.failures.length > 0) throw new Error(`upload for the re-read failed: ${sent.failures[0]}`);
        rates.push(
          await readAll(
            sluice.url,
            ws,
            files.map((f) => f.name),
          ),
        );
      } finally {
        await sluice.stop();
      }
    }
    pairs.push({ value: rates[1]!, ceiling: rates[0]! });
    ctx.log(
      `run ${run + 1}: re-read of ${files.length} files, loose ${rates[0]!.toFixed(0)} files/s, packed ` +
        `${rates[1]!.toFixed(0)} files/s`,
    );
  }
  return [
    pairedRatioFigure(
      `re-read of ${files.length} packed files vs the same stored one object each: files/s`,
      pairs,
      'files/s',
      0.8,
    ),
  ];
}
