import { randomBytes } from 'node:crypto';
import { mapLimit, oxenHash, sniffMime, type StagedEntry } from '@sluice/core';
import { encodeStagedEntry, PackIndex, RedisKeys, VersionIndex } from '@sluice/repository';
import { send, sendJson, waitForJob } from '../test/support/oxen-http.js';
import { freshSluice, joinSluice, type BenchContext } from './bench-context.js';
import { maxFigure, type Figure } from './figure.js';
import { cpuSeconds, median, peakRssMiB, resetPeakRss } from './measure.js';
import { redisBytesPerMember, redisUsedBytes } from './redis-memory.js';
import { streamTree } from './tree-stream.js';

/** Distinct contents the staged files point at: stage_hashes reads 4 KiB of each per request. */
const seedContents = 64;
/** stage_hashes takes at most 5,000 entries a request. */
const perRequest = 5000;
const inFlight = 4;
/** The whole tree is streamed through GET R/archive up to this many files. */
const maxArchived = 1_000_000;
const topDirs = 1000;
const subDirs = 100;

/** Where file i of the many-files tree sits: 1,000 top directories of 100 subdirectories each. */
function pathOf(i: number): string {
  return `d${i % topDirs}/s${Math.floor(i / topDirs) % subDirs}/f${i}.csv`;
}

/** Stages `files` in workspace `ws` of bench/many by hash; every hash must be content the repository holds. */
async function stageByHash(url: string, ws: string, files: Array<{ path: string; hash: string }>): Promise<void> {
  const reply = await sendJson(url, 'POST', `/api/repos/bench/many/workspaces/${ws}/stage_hashes`, { files });
  const missing = reply.status === 200 ? (reply.json().missing as string[]).length : -1;
  if (reply.status !== 200 || missing !== 0) {
    throw new Error(`stage_hashes: ${reply.status} ${reply.body.toString().slice(0, 300)}`);
  }
}

/** Commits workspace `ws` of bench/many onto main as a queued job, and waits for it to complete. */
async function commitQueued(url: string, ws: string, message: string): Promise<void> {
  const accepted = await send(url, 'POST', `/api/repos/bench/many/workspaces/${ws}/merge/main`, {
    headers: { 'content-type': 'application/json', prefer: 'respond-async' },
    body: JSON.stringify({ message, author: 'bench', email: 'bench@example.com' }),
  });
  const job = await waitForJob(url, accepted.headers.location as string, 3_600_000);
  if (job.state !== 'completed') throw new Error(`commit of ${ws} failed: ${JSON.stringify(job.error)}`);
}

/** Files of `count` that land in d7/s0 (the deep directory listed). */
function filesInDeepDir(count: number): number {
  let n = 0;
  for (let i = 7; i < count; i += topDirs * subDirs) n++;
  return n;
}

/** Milliseconds of one GET (first, cold) and the median of five more (warm). */
async function listingMs(url: string, path: string): Promise<{ cold: number; warm: number; total: number }> {
  const timed = async () => {
    const started = process.hrtime.bigint();
    const reply = await send(url, 'GET', path);
    if (reply.status !== 200) throw new Error(`GET ${path}: ${reply.status} ${reply.body.toString().slice(0, 200)}`);
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, total: reply.json().total_entries as number };
  };
  const first = await timed();
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) warm.push((await timed()).ms);
  return { cold: first.ms, warm: median(warm), total: first.total };
}

/** The content buckets (RedisKeys.contentBucket): 65,536, by a hash's first four hex digits. */
const contentBuckets = 65_536;

/** Bytes of every content bucket under `keys` (`MEMORY USAGE` of each: its value, its name, its keyspace entry). */
async function contentBucketBytes(ctx: BenchContext, keys: RedisKeys): Promise<number> {
  let bytes = 0;
  let cursor = '0';
  do {
    const [next, found] = await ctx.redis.scan(cursor, 'MATCH', keys.contentBucketPattern(), 'COUNT', 1000);
    const sizes = await Promise.all(found.map((key) => ctx.redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')));
    for (const size of sizes) bytes += Number(size ?? 0);
    cursor = next;
  } while (cursor !== '0');
  return bytes;
}

/**
 * Redis bytes per hash of the families that grow with distinct content (stored marks and packed
 * locations, both in the content buckets; a repository's content set), measured by writing
 * `sample` random hashes through sluice's own classes under a scratch prefix, then deleting
 * them. The hashes fill only as many buckets as keep each at the density `distinct` hashes give
 * all of them (a bucket's bytes per hash fall as it fills): the figure for `distinct`, written
 * with `sample`. Stored marks are measured first, then what the locations add.
 */
async function contentFamilies(ctx: BenchContext, sample: number, distinct: number): Promise<Record<string, number>> {
  const keys = new RedisKeys(`benchfamilies${process.pid}`);
  const versions = new VersionIndex(ctx.redis, keys);
  const packs = new PackIndex(ctx.redis, keys);
  const content = keys.content('bench', 'families');
  const buckets = Math.min(contentBuckets, Math.ceil(sample / Math.max(1, distinct / contentBuckets)));
  const hashOf = (i: number) => `${(i % buckets).toString(16).padStart(4, '0')}${randomBytes(14).toString('hex')}`;
  const batches: string[][] = [];
  for (let start = 0; start < sample; start += 10_000) {
    batches.push(Array.from({ length: Math.min(10_000, sample - start) }, (_, i) => hashOf(start + i)));
  }
  for (const hashes of batches) {
    await versions.markStored(hashes);
    await ctx.redis.sadd(content, ...hashes);
  }
  const marked = await contentBucketBytes(ctx, keys);
  for (const hashes of batches) {
    const entries = hashes.map((hash, i) => ({ hash, offset: i * 41_000, length: 41_000, size: 102_400 }));
    await packs.record(`p${randomBytes(16).toString('hex')}`, entries);
  }
  const located = await contentBucketBytes(ctx, keys);
  ctx.log(
    `content buckets: ${sample} hashes in ${buckets} buckets` +
      ` (~${(sample / buckets).toFixed(0)} a bucket, as ${distinct} distinct hashes fill them)`,
  );
  const out = {
    versions: marked / sample,
    packed: (located - marked) / sample,
    content: await redisBytesPerMember(ctx.redis, content, sample),
  };
  let cursor = '0';
  do {
    const [next, found] = await ctx.redis.scan(cursor, 'MATCH', keys.contentBucketPattern(), 'COUNT', 1000);
    if (found.length > 0) await ctx.redis.del(...found);
    cursor = next;
  } while (cursor !== '0');
  await ctx.redis.del(keys.packsUnrecorded(), content);
  return out;
}

/**
 * Workload 7: one repository of many files. `--files N` (default ten million) files are staged by hash
 * (`stage_hashes`, no bytes) over 64 contents the repository's first commit holds, then committed by a
 * worker process of its own; reported: the commit's time and the worker's peak RSS, the same for a
 * second commit that changes one file in a hundred of that tree, Redis bytes per file by key family,
 * listings of the new tree's root and one deep directory (cold, and warm: the median of five more),
 * and (up to a million files) the whole tree streamed through `GET R/archive/main/` by an API process
 * of its own: files/s, bytes, its CPU and peak RSS, the entry count checked against N and the seeds.
 */
export async function manyFiles(ctx: BenchContext): Promise<Figure[]> {
  const count = ctx.files ?? (ctx.smoke ? 3000 : 10_000_000);
  const label = count >= 1_000_000 ? `${count / 1_000_000}M` : count >= 1000 ? `${count / 1000}k` : `${count}`;
  const { sluice: api, env } = await freshSluice(ctx, 'fs', { SLUICE_ROLE: 'api' });
  const worker = await joinSluice(ctx, env, 'worker');
  const figures: Figure[] = [];
  try {
    const seeds = Array.from({ length: seedContents }, (_, i) => ({
      path: `seed/s${i}.csv`,
      contents: `seed ${i}\n${'x,'.repeat(i)}\n`,
    }));
    const created = await sendJson(api.url, 'POST', '/api/repos', { namespace: 'bench', name: 'many', files: seeds });
    if (created.status !== 200) throw new Error(`repo create: ${created.status} ${created.body}`);
    const seedHashes = await Promise.all(seeds.map((seed) => oxenHash(Buffer.from(seed.contents))));
    const wsBody = { workspace_id: 'ws', branch_name: 'main' };
    const ws = await sendJson(api.url, 'PUT', '/api/repos/bench/many/workspaces', wsBody);
    if (ws.status !== 200) throw new Error(`workspace create: ${ws.status} ${ws.body}`);
    const keys = new RedisKeys(env.SLUICE_KEY_PREFIX!);

    const usedBefore = await redisUsedBytes(ctx.redis);
    const stageStarted = process.hrtime.bigint();
    if (ctx.directStage) {
      // written straight into the staging hash, as stage_hashes would stage them: for runs where
      // staging ten million files through HTTP would take longer than the time there is
      const staged = keys.staged('bench', 'many', 'ws');
      const entries = seeds.map((seed, i): string => {
        const bytes = Buffer.from(seed.contents);
        const entry: StagedEntry = {
          status: 'added',
          hash: seedHashes[i]!,
          size: bytes.length,
          ...sniffMime(bytes, 'f.csv'),
        };
        return encodeStagedEntry(entry);
      });
      for (let start = 0; start < count; start += 20_000) {
        const pipeline = ctx.redis.pipeline();
        for (let batch = start; batch < Math.min(count, start + 20_000); batch += 1000) {
          const fields: string[] = [];
          for (let i = batch; i < Math.min(count, batch + 1000); i++) {
            fields.push(pathOf(i), entries[i % seedContents]!);
          }
          pipeline.hset(staged, ...fields);
        }
        await pipeline.exec();
      }
    } else {
      const requests = Array.from({ length: Math.ceil(count / perRequest) }, (_, r) => r);
      let done = 0;
      await mapLimit(requests, inFlight, async (r) => {
        const files: Array<{ path: string; hash: string }> = [];
        for (let i = r * perRequest; i < Math.min(count, (r + 1) * perRequest); i++) {
          files.push({ path: pathOf(i), hash: seedHashes[i % seedContents]! });
        }
        await stageByHash(api.url, 'ws', files);
        if (++done % 200 === 0) ctx.log(`staged ${done * perRequest} files`);
      });
    }
    const stageSeconds = Number(process.hrtime.bigint() - stageStarted) / 1e9;
    const staged = keys.staged('bench', 'many', 'ws');
    const stagedPerFile = await redisBytesPerMember(ctx.redis, staged, count);
    const usedPerStaged = ((await redisUsedBytes(ctx.redis)) - usedBefore) / count;
    const how = ctx.directStage ? 'into Redis directly' : 'by hash';
    ctx.log(
      `staged ${count} files ${how} in ${stageSeconds.toFixed(1)} s;` +
        ` staging hash ${stagedPerFile.toFixed(0)} B/file (used_memory +${usedPerStaged.toFixed(0)} B/file)`,
    );

    // Redis's used memory, sampled while the commit runs: what the commit adds on top of the stage
    let redisPeak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        redisPeak = Math.max(redisPeak, await redisUsedBytes(ctx.redis));
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();
    const usedBeforeCommit = await redisUsedBytes(ctx.redis);
    const started = process.hrtime.bigint();
    const cpuBefore = cpuSeconds(worker.pid);
    try {
      await commitQueued(api.url, 'ws', `${count} files`);
    } finally {
      sampling = false;
      await sampler;
    }
    const commitSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rss = peakRssMiB(worker.pid);
    // on a loaded machine the wall time says more about the neighbours than the commit
    const commitCpu = cpuSeconds(worker.pid) - cpuBefore;
    const commitRedisPerFile = (redisPeak - usedBeforeCommit) / count;
    ctx.log(
      `commit of ${count} files ${commitSeconds.toFixed(1)} s (worker CPU ${commitCpu.toFixed(1)} s),` +
        ` worker peak RSS ${rss.toFixed(0)} MiB, Redis +${commitRedisPerFile.toFixed(0)} B/file at its peak`,
    );

    const root = await listingMs(api.url, '/api/repos/bench/many/dir/main/');
    const deep = await listingMs(api.url, '/api/repos/bench/many/dir/main/d7/s0');
    const expectedTop = Math.min(topDirs, count) + 1; // and seed/
    if (root.total !== expectedTop || deep.total !== filesInDeepDir(count)) {
      const deepFiles = filesInDeepDir(count);
      const holds = `${root.total}/${expectedTop} top entries and ${deep.total}/${deepFiles} files in d7/s0`;
      throw new Error(`the commit holds ${holds}`);
    }
    ctx.log(
      `listing root ${root.cold.toFixed(1)} ms cold, ${root.warm.toFixed(1)} warm;` +
        ` d7/s0 ${deep.cold.toFixed(1)} cold, ${deep.warm.toFixed(1)} warm`,
    );

    // the whole tree streamed as one tar by an API process of its own: the N files and the 64 seeds
    // (up to a million files: ten million at ~2,500 files/s would take over an hour)
    const tree = count <= maxArchived ? await streamTree(ctx, env, 'bench/many', 'main') : null;
    if (tree === null)
      ctx.log(`archive of the tree: not streamed (${count} files; the row streams up to ${maxArchived})`);
    else {
      if (tree.entries !== count + seedContents) {
        throw new Error(`the archive held ${tree.entries} files, not ${count} and ${seedContents} seeds`);
      }
      ctx.log(
        `archive of the tree: ${tree.entries} files, ${(tree.bytes / 1024 ** 2).toFixed(0)} MiB in` +
          ` ${tree.seconds.toFixed(1)} s (${(tree.entries / tree.seconds).toFixed(0)} files/s,` +
          ` reader CPU ${tree.cpuSeconds.toFixed(1)} s), reading API peak RSS ${tree.rssMiB.toFixed(0)} MiB`,
      );
    }

    // a second workspace changes one file in a hundred of the committed tree, spread over its
    // directories, and is committed onto it: a merge into a base of `count` files
    const changed = Math.max(1, Math.floor(count / 100));
    const ws2 = await sendJson(api.url, 'PUT', '/api/repos/bench/many/workspaces', { ...wsBody, workspace_id: 'ws2' });
    if (ws2.status !== 200) throw new Error(`workspace create: ${ws2.status} ${ws2.body}`);
    const pick = (j: number) => (j * 7919) % count;
    for (let start = 0; start < changed; start += perRequest) {
      const files: Array<{ path: string; hash: string }> = [];
      for (let j = start; j < Math.min(changed, start + perRequest); j++) {
        files.push({ path: pathOf(pick(j)), hash: seedHashes[(pick(j) + 1) % seedContents]! });
      }
      await stageByHash(api.url, 'ws2', files);
    }
    resetPeakRss(worker.pid);
    const mergeCpuBefore = cpuSeconds(worker.pid);
    const mergeStarted = process.hrtime.bigint();
    await commitQueued(api.url, 'ws2', `${changed} of ${count} files`);
    const mergeSeconds = Number(process.hrtime.bigint() - mergeStarted) / 1e9;
    const mergeCpu = cpuSeconds(worker.pid) - mergeCpuBefore;
    const mergeRss = peakRssMiB(worker.pid);
    const probe = pick(changed - 1);
    const read = await send(api.url, 'GET', `/api/repos/bench/many/file/main/${pathOf(probe)}`);
    if (read.body.toString() !== seeds[(probe + 1) % seedContents]!.contents) {
      throw new Error(`after the merge ${pathOf(probe)} holds ${read.body.toString().slice(0, 80)}`);
    }
    ctx.log(
      `merge of ${changed} changed files into the ${count}-file tree ${mergeSeconds.toFixed(1)} s` +
        ` (worker CPU ${mergeCpu.toFixed(1)} s), worker peak RSS ${mergeRss.toFixed(0)} MiB`,
    );

    const families = await contentFamilies(ctx, Math.min(count, 1_000_000), count);
    const perHash = [families.versions!, families.packed!, families.content!].map((b) => b.toFixed(0));
    ctx.log(`per distinct hash: versions ${perHash[0]} B, packed ${perHash[1]} B, content ${perHash[2]} B`);

    figures.push(
      maxFigure(`${label} files: stage ${ctx.directStage ? 'into Redis' : 'by hash'}`, stageSeconds, 's', null),
      maxFigure(`${label} files: commit`, commitSeconds, 's', count >= 10_000_000 ? 120 : null),
      maxFigure(`${label} files: commit, the worker's CPU time`, commitCpu, 's', null),
      maxFigure(`${label} files: committing worker's peak RSS`, rss, 'MiB', count >= 10_000_000 ? 512 : null),
      maxFigure(`${label} files: Redis per staged file (staging hash)`, stagedPerFile, 'B', null),
      maxFigure(`${label} files: Redis added during the commit, per file`, commitRedisPerFile, 'B', null),
      maxFigure('Redis per distinct hash: stored mark (content buckets)', families.versions!, 'B', null),
      maxFigure('Redis per distinct hash: packed location (content buckets)', families.packed!, 'B', null),
      maxFigure('Redis per distinct hash: repository content set', families.content!, 'B', null),
      maxFigure(`${label} files: commit of 1% of them changed, onto the ${label} tree`, mergeSeconds, 's', null),
      maxFigure(`${label} files: that commit, the worker's CPU time`, mergeCpu, 's', null),
      maxFigure(
        `${label} files: that commit, the worker's peak RSS`,
        mergeRss,
        'MiB',
        count >= 10_000_000 ? 512 : null,
      ),
      maxFigure(`${label} files: list root (cold)`, root.cold, 'ms', 100),
      maxFigure(`${label} files: list root (warm)`, root.warm, 'ms', 100),
      maxFigure(`${label} files: list d7/s0 (cold)`, deep.cold, 'ms', 100),
      maxFigure(`${label} files: list d7/s0 (warm)`, deep.warm, 'ms', 100),
    );
    if (tree !== null) {
      const archive = `${label} files: whole tree through GET R/archive`;
      figures.push(
        maxFigure(archive, tree.entries / tree.seconds, 'files/s', null),
        maxFigure(`${archive}, bytes received`, tree.bytes / 1024 ** 2, 'MiB', null),
        maxFigure(`${archive}, reading API's CPU time`, tree.cpuSeconds, 's', null),
        maxFigure(`${archive}, reading API's peak RSS`, tree.rssMiB, 'MiB', 256),
      );
    }
  } finally {
    await worker.stop();
    await api.stop();
  }
  return figures;
}
