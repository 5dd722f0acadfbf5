import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ClientError } from './client-error.js';
import type { LocalFile } from './local-files.js';
import type { Remote } from './remote.js';
import type { Job, SluiceClient } from './sluice-client.js';
import type { PushProgress } from './push-types.js';

const gzipAsync = promisify(gzip);
/**
 * Fast compression: on the links datasets travel over, level 1 keeps up where the default (6) would be the bottleneck.
 */
const gzipLevel = 1;

export interface PendingFile extends LocalFile {
  /** Path in the repository. */
  target: string;
  hash: string;
  /** The bytes read when the file was hashed, kept until its first send. */
  content?: Buffer | undefined;
}

/** Where a push's batches go and what they report to. */
export interface BatchTarget {
  client: SluiceClient;
  remote: Remote;
  workspaceId: string;
  /** Ask sluice for a job at once instead of waiting in the upload request. */
  async: boolean;
  gzip: boolean;
  progress: PushProgress;
  report: () => void;
}

/** Runs tasks with at most `limit` at once; `add` returns once the task has a lane, so a producer keeps pace. */
export class Lanes {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly limit: number) {}

  async add(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    const run: Promise<void> = task().finally(() => this.running.delete(run));
    this.running.add(run);
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }
}

/** The files in groups of at most `maxBytes` bytes and `maxFiles` files, in order (a group has at least one file). */
export function* batches<T extends { size: number }>(
  files: readonly T[],
  maxBytes: number,
  maxFiles: number,
): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for (const file of files) {
    if (batch.length > 0 && (bytes + file.size > maxBytes || batch.length >= maxFiles)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(file);
    bytes += file.size;
  }
  if (batch.length > 0) yield batch;
}

export interface BatchOutcome {
  staged: Set<string>;
  errors: Map<string, { code: string; message: string }>;
  deduplicated: number;
}

/** One upload request (its parts, an idempotency key of its content) and, with sluice, its job. */
export async function sendBatch(target: BatchTarget, batch: PendingFile[]): Promise<BatchOutcome> {
  const { client, remote, workspaceId, progress, report } = target;
  const errors = new Map<string, { code: string; message: string }>();
  const parts = await Promise.all(
    batch.map(async (file) => {
      const content = file.content ?? (await readFile(file.absolute));
      file.content = undefined;
      return {
        filename: file.target,
        content: target.gzip ? await gzipAsync(content, { level: gzipLevel }) : content,
        gzip: target.gzip,
      };
    }),
  );
  const key = createHash('sha256').update(workspaceId);
  for (const file of batch) key.update(`\n${file.target}\0${file.hash}`);
  const bytes = batch.reduce((sum, f) => sum + f.size, 0);
  try {
    // The parts carry full repository paths, so the upload's directory is the root.
    const answer = await client.upload(remote.namespace, remote.repo, workspaceId, '', parts, {
      idempotencyKey: key.digest('hex'),
      async: target.async,
    });
    progress.filesSent += batch.length;
    progress.bytesSent += bytes;
    progress.spooled += batch.length;
    report();
    if (answer.paths) {
      progress.hashed += answer.paths.length;
      progress.staged += answer.paths.length;
      return { staged: new Set(answer.paths), errors, deduplicated: answer.deduplicated ?? 0 };
    }
    let seen = 0;
    const job: Job = await client.waitForJob(answer.job.id, (reading) => {
      const done = reading.kind === 'ingest' ? reading.progress.files_done : 0;
      progress.hashed += done - seen;
      seen = done;
      report();
    });
    progress.hashed += batch.length - seen;
    if (job.state === 'failed') {
      for (const file of batch)
        errors.set(file.target, job.error ?? { code: 'job_failed', message: `job ${job.id} failed` });
      return { staged: new Set(), errors, deduplicated: 0 };
    }
    if (job.kind !== 'ingest')
      throw new ClientError('bad_answer', `job ${job.id} is a ${job.kind} job, not the upload's`, 0);
    for (const result of job.files ?? []) if ('error' in result) errors.set(result.path, result.error);
    progress.staged += job.paths?.length ?? 0;
    return { staged: new Set(job.paths ?? []), errors, deduplicated: job.deduplicated ?? 0 };
  } catch (error) {
    const code = error instanceof ClientError ? error.code : 'error';
    for (const file of batch) errors.set(file.target, { code, message: (error as Error).message });
    return { staged: new Set(), errors, deduplicated: 0 };
  }
}
