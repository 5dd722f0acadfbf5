/**
 * `npm run bench`: starts what it needs (a private Redis, Swift s3api when installed, sluice in the
 * mode each workload names), generates its data, and prints a table of figures, each a ratio to a
 * ceiling measured in the same run or a count. Options:
 *   --smoke          a few hundred files, for CI
 *   --runs N         runs per workload; the median is quoted (default 3)
 *   --only a,b       workloads: small-fs, small-s3, large, commit, push, many-files, downloads (default all)
 *   --json FILE      also write the figures as JSON
 *   --files N        small-files workloads with N files instead of 20,000; many-files with N instead of 10M
 *   --direct-stage   many-files stages straight into Redis, not through stage_hashes (quicker)
 *   --node-arg ARG   an argument for every sluice's node (repeatable), e.g. --cpu-prof
 *   --sluice-env K=V settings for every sluice started (repeatable), for experiments
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedisServer } from '../test/support/redis-server.js';
import { hasSwift, startSwiftS3, type S3Server } from '../test/support/swift-s3-server.js';
import { repoRoot } from '../test/support/repo-root.js';
import type { BenchContext } from './bench-context.js';
import type { Figure } from './figure.js';
import { smallFilesFs, smallFilesS3 } from './small-files.js';
import { largeFile } from './large-file.js';
import { commitWorkload } from './commit-workload.js';
import { pushWorkload } from './push-workload.js';
import { manyFiles } from './many-files.js';
import { downloadWorkload } from './download-workload.js';
import { table, writeChart } from './report.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const smoke = args.includes('--smoke');
const runs = Number(option('--runs') ?? (smoke ? 1 : 3));
const only = new Set((option('--only') ?? 'small-fs,small-s3,large,commit,push,many-files,downloads').split(','));
const jsonPath = option('--json');
const sluiceEnv = Object.fromEntries(
  args.flatMap((a, i) =>
    args[i - 1] === '--sluice-env'
      ? [[a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] as [string, string]]
      : [],
  ),
);

const workloads: Array<[string, (ctx: BenchContext) => Promise<Figure[]>]> = [
  ['small-fs', smallFilesFs],
  ['small-s3', smallFilesS3],
  ['large', largeFile],
  ['commit', commitWorkload],
  ['push', pushWorkload],
  ['many-files', manyFiles],
  ['downloads', downloadWorkload],
];

const redisServer = await startRedisServer();
const redis = new Redis(redisServer.url);
let swift: S3Server | null = null;
const figures: Figure[] = [];
try {
  if (only.has('small-s3') && hasSwift()) swift = await startSwiftS3();
  const ctx: BenchContext = {
    redisUrl: redisServer.url,
    redis,
    s3: swift?.config ?? null,
    smoke,
    runs,
    sluiceEnv,
    nodeArgs: args.flatMap((a, i) => (args[i - 1] === '--node-arg' ? [a] : [])),
    files: option('--files') === undefined ? undefined : Number(option('--files')),
    directStage: args.includes('--direct-stage'),
    log: (m) => process.stderr.write(`bench: ${m}\n`),
  };
  for (const [name, workload] of workloads) {
    if (!only.has(name)) continue;
    ctx.log(`workload ${name}`);
    figures.push(...(await workload(ctx)));
  }
} finally {
  redis.disconnect();
  await swift?.stop();
  await redisServer.stop();
}

const machine =
  `${cpus().length} cores (${cpus()[0]?.model.trim()}), ` +
  `${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}`;
const settings = Object.entries(sluiceEnv)
  .map(([k, v]) => `${k}=${v}`)
  .join(' ');
const caption =
  `sluice benchmark${smoke ? ' (smoke)' : ''}${settings ? ` [${settings}]` : ''}, median of ${runs} run(s), ` +
  `${new Date().toISOString().slice(0, 10)}, ${machine}`;
process.stdout.write(
  `\n${caption}\n\n${table(figures, !smoke)}\n` +
    (smoke ? '\nsmoke run: the figures only show that every workload runs; targets are judged on full runs\n' : ''),
);
const results = join(repoRoot(), 'bench/results');
mkdirSync(results, { recursive: true });
writeChart(join(results, smoke ? 'smoke.svg' : 'latest.svg'), figures, caption);
if (jsonPath) writeFileSync(jsonPath, JSON.stringify(figures, null, 2) + '\n');
const missed = figures.filter((f) => f.met === false);
if (missed.length > 0 && !smoke) process.stdout.write(`\ntargets missed: ${missed.map((f) => f.name).join('; ')}\n`);
