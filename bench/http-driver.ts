import { Agent, request } from 'node:http';
import type { Batch } from './dataset.js';

export interface DriveResult {
  seconds: number;
  staged: number;
  failures: string[];
}

/** Sends every batch to `url` with `concurrency` requests in flight; counts the paths answered. */
export async function driveBatches(
  baseUrl: string,
  path: string,
  batches: Batch[],
  concurrency: number,
  headers: Record<string, string> = {},
): Promise<DriveResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(baseUrl);
  let next = 0;
  let staged = 0;
  const failures: string[] = [];
  const send = (batch: Batch) =>
    new Promise<void>((resolve) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path,
          agent,
          headers: { 'content-type': batch.contentType, 'content-length': String(batch.body.length), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            if (res.statusCode !== 200) failures.push(`${res.statusCode} ${text.slice(0, 200)}`);
            else {
              const answer = JSON.parse(text) as { paths?: unknown[]; staged?: number };
              staged += answer.paths?.length ?? answer.staged ?? 0;
            }
            resolve();
          });
        },
      );
      req.on('error', (error) => {
        failures.push(error.message);
        resolve();
      });
      req.end(batch.body);
    });
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) await send(batches[next++]!);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return { seconds, staged, failures };
}
