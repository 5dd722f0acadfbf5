import { request } from 'node:http';
import type { BenchContext } from './bench-context.js';
import { joinSluice } from './bench-context.js';
import { cpuSeconds, peakRssMiB } from './measure.js';
import { TarCounter } from './tar-counter.js';

export interface TreeStream {
  entries: number;
  bytes: number;
  seconds: number;
  /** The reading API process's peak RSS (VmHWM): it served nothing but this stream. */
  rssMiB: number;
  cpuSeconds: number;
}

/** GETs an archive and counts its entries and bytes as they arrive; throws on a cut or non-200 answer. */
function countArchive(url: string, log: (message: string) => void): Promise<TarCounter> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`GET ${url} answered ${res.statusCode}`));
        res.resume();
        return;
      }
      const counter = new TarCounter();
      let nextLog = 100_000;
      res.on('data', (chunk: Buffer) => {
        try {
          counter.push(chunk);
        } catch (error) {
          res.destroy(error as Error);
        }
        if (counter.entries >= nextLog) {
          log(`archive: ${counter.entries} entries`);
          nextLog += 100_000;
        }
      });
      res.on('end', () =>
        counter.complete ? resolve(counter) : reject(new Error('the archive ended without its end blocks')),
      );
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/**
 * The whole tree at `revision` streamed through `GET R/archive/{revision}/` from an API process of
 * its own, started for it (as the downloads workload does), so its peak RSS and CPU are the
 * stream's alone.
 */
export async function streamTree(
  ctx: BenchContext,
  env: Record<string, string>,
  repo: string,
  revision: string,
): Promise<TreeStream> {
  const reader = await joinSluice(ctx, env, 'api');
  try {
    const cpuBefore = cpuSeconds(reader.pid);
    const started = process.hrtime.bigint();
    const counted = await countArchive(`${reader.url}/api/repos/${repo}/archive/${revision}/`, ctx.log);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      entries: counted.entries,
      bytes: counted.bytes,
      seconds,
      rssMiB: peakRssMiB(reader.pid),
      cpuSeconds: cpuSeconds(reader.pid) - cpuBefore,
    };
  } finally {
    await reader.stop();
  }
}
