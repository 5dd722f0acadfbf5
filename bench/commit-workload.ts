import { randomBytes } from 'node:crypto';
import { encodeStagedEntry, RedisKeys } from '@sluice/repository';
import { repoWithWorkspace, send, waitForJob } from '../test/support/oxen-http.js';
import { freshSluice, type BenchContext } from './bench-context.js';
import { maxFigure, type Figure } from './figure.js';
import { median, peakRssMiB } from './measure.js';

/** Writes `count` staged entries straight into a workspace index (100 x 100 directories), as Redis pipelines. */
async function generateStage(ctx: BenchContext, keyPrefix: string, workspaceId: string, count: number): Promise<void> {
  const key = new RedisKeys(keyPrefix).staged('bench', 'commit', workspaceId);
  for (let start = 0; start < count; start += 10_000) {
    const pipeline = ctx.redis.pipeline();
    for (let batch = start; batch < Math.min(count, start + 10_000); batch += 1000) {
      const fields: string[] = [];
      for (let i = batch; i < Math.min(count, batch + 1000); i++) {
        const entry = {
          status: 'added' as const,
          hash: randomBytes(16).toString('hex'),
          size: 1000 + (i % 5000),
          mimeType: 'text/plain',
          dataType: 'tabular' as const,
        };
        fields.push(`d${i % 100}/s${Math.floor(i / 100) % 100}/f${i}.csv`, encodeStagedEntry(entry));
      }
      pipeline.hset(key, ...fields);
    }
    await pipeline.exec();
  }
}

/** Workload 5: commit of 100k and 1M staged files (the index generated directly): time and peak RSS. */
export async function commitWorkload(ctx: BenchContext): Promise<Figure[]> {
  const sizes = ctx.smoke ? [5_000] : [100_000, 1_000_000];
  const figures: Figure[] = [];
  for (const count of sizes) {
    const seconds: number[] = [];
    let rss = 0;
    for (let i = 0; i < ctx.runs; i++) {
      const { sluice, env } = await freshSluice(ctx, 'fs');
      try {
        const ws = await repoWithWorkspace(sluice.url, 'bench', 'commit', 'ws');
        await generateStage(ctx, env.SLUICE_KEY_PREFIX!, 'ws', count);
        const started = process.hrtime.bigint();
        const accepted = await send(sluice.url, 'POST', `${ws}/merge/main`, {
          headers: { 'content-type': 'application/json', prefer: 'respond-async' },
          body: JSON.stringify({ message: `${count} files`, author: 'bench', email: 'bench@example.com' }),
        });
        const job = await waitForJob(sluice.url, accepted.headers.location as string, 900_000);
        if (job.state !== 'completed') throw new Error(`commit failed: ${JSON.stringify(job.error)}`);
        seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
        // the commit holds what was staged: 100 top directories, and the files of one leaf
        const top = (await send(sluice.url, 'GET', '/api/repos/bench/commit/dir/main/')).json().total_entries as number;
        const leaf = (await send(sluice.url, 'GET', '/api/repos/bench/commit/dir/main/d7/s3')).json()
          .total_entries as number;
        const expectedLeaf = Array.from({ length: count }, (_, i) => i).filter(
          (i) => i % 100 === 7 && Math.floor(i / 100) % 100 === 3,
        ).length;
        if (top !== Math.min(100, count) || leaf !== expectedLeaf) {
          throw new Error(
            `commit of ${count} files holds ${top} top directories and ${leaf}/${expectedLeaf} files in d7/s3`,
          );
        }
        rss = Math.max(rss, peakRssMiB(sluice.pid));
        ctx.log(
          `run ${i + 1}: commit of ${count} staged files ` +
            `${seconds.at(-1)!.toFixed(1)} s, peak RSS ${rss.toFixed(0)} MiB`,
        );
      } finally {
        await sluice.stop();
      }
    }
    const label = count >= 1_000_000 ? `${count / 1_000_000}M` : `${count / 1000}k`;
    figures.push(
      maxFigure(`commit of ${label} staged files: time`, median(seconds), 's', count >= 1_000_000 ? 60 : null),
    );
    figures.push(maxFigure(`commit of ${label} staged files: peak RSS`, rss, 'MiB', null));
  }
  return figures;
}
