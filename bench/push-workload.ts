import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoWithWorkspace } from '../test/support/oxen-http.js';
import { repoRoot } from '../test/support/repo-root.js';
import type { BenchContext } from './bench-context.js';
import { freshSluice } from './bench-context.js';
import { batchFiles, makeFiles } from './dataset.js';
import { maxFigure, pairedRatioFigure, type Figure } from './figure.js';
import { driveBatches } from './http-driver.js';
import { median } from './measure.js';

const concurrency = 8;

interface PushSummary {
  sent: number;
  skipped: number;
  bytesSent: number;
  seconds: number;
  failed: unknown[];
}

/** `sluice push` as a user runs it: the CLI as a process, its JSON summary parsed. */
function sluicePush(args: string[]): Promise<PushSummary> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(repoRoot(), 'packages/client/bin/sluice.js'), 'push', ...args, '--json'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!) as PushSummary)
        : reject(new Error(`sluice push exited ${code}: ${out}`)),
    );
  });
}

/**
 * Workload 6: the small-files dataset pushed from disk by `sluice push` (hashing, gzip and batching
 * included) against the benchmark's plain batch client sending the same files pre-gzipped, both
 * with 8 requests in flight into a fresh sluice; then the unchanged dataset pushed again.
 */
export async function pushWorkload(ctx: BenchContext): Promise<Figure[]> {
  const count = ctx.files ?? (ctx.smoke ? 300 : 20_000);
  const files = await makeFiles(count, 100 * 1024, 6);
  const batches = batchFiles(files);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-push-'));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.name)), { recursive: true });
    writeFileSync(join(dir, file.name), file.content);
  }
  const plainRates: number[] = [];
  const pushRates: number[] = [];
  const repush: Array<{ seconds: number; bytes: number; sent: number }> = [];
  try {
    for (let run = 0; run < ctx.runs; run++) {
      const plain = await freshSluice(ctx, 'fs');
      try {
        const ws = await repoWithWorkspace(plain.sluice.url, 'bench', 'plain', 'ws');
        const result = await driveBatches(plain.sluice.url, `${ws}/files/data`, batches, concurrency);
        if (result.failures.length > 0) throw new Error(`plain client failed: ${result.failures[0]}`);
        plainRates.push(count / result.seconds);
      } finally {
        await plain.sluice.stop();
      }
      const { sluice } = await freshSluice(ctx, 'fs');
      try {
        await fetch(`${sluice.url}/api/repos`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ namespace: 'bench', name: 'pushed' }),
        });
        const args = [
          dir,
          '--remote',
          `${sluice.url}/bench/pushed`,
          '--dst',
          'data',
          '--concurrency',
          String(concurrency),
          '--no-commit',
        ];
        const first = await sluicePush(args);
        if (first.failed.length > 0 || first.sent !== count)
          throw new Error(`sluice push sent ${first.sent}/${count}, failed ${first.failed.length}`);
        pushRates.push(count / first.seconds);
        const again = await sluicePush(args);
        repush.push({ seconds: again.seconds, bytes: again.bytesSent, sent: again.sent });
        ctx.log(
          `run ${run + 1}: plain client ${plainRates.at(-1)!.toFixed(0)} files/s, sluice push ` +
            `${pushRates.at(-1)!.toFixed(0)} files/s, re-push ${again.seconds.toFixed(2)} s sending ${again.sent} ` +
            `files`,
        );
      } finally {
        await sluice.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    pairedRatioFigure(
      'sluice push vs the plain batch client: files/s',
      pushRates.map((value, i) => ({ value, ceiling: plainRates[i]! })),
      'files/s',
      0.8,
    ),
    maxFigure('re-push of the unchanged dataset: bytes sent', Math.max(...repush.map((r) => r.bytes)), 'bytes', 0),
    maxFigure('re-push of the unchanged dataset: time', median(repush.map((r) => r.seconds)), 's', null),
  ];
}
