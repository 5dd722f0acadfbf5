import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { mapLimit, stagedPath, worthResending } from '@sluice/core';
import { ClientError } from './client-error.js';
import { collectFiles, hashFile, readRange, type LocalFile } from './local-files.js';
import type { Remote } from './remote.js';
import { SluiceClient, type Commit, type Job } from './sluice-client.js';

const gzipAsync = promisify(gzip);
/** Fast compression: on the links datasets travel over, level 1 keeps up where the default (6) would be the bottleneck. */
const gzipLevel = 1;

export interface PushOptions {
  remote: Remote;
  token?: string;
  inputs: string[];
  branch: string;
  /** Directory in the repository the inputs go under ('' for the root). */
  dst: string;
  /** A named workspace (kept after its commit); by default one derived from the push, so a rerun resumes it. */
  workspace?: string;
  /** gitignore patterns left out of the directories pushed, besides `.git/` and each one's `.sluiceignore`. */
  exclude?: string[];
  commit: boolean;
  message: { message?: string; author: string; email: string };
  /** Ask sluice to answer uploads at once with a job (stock Oxen servers answer 200 anyway). */
  async: boolean;
  concurrency: number;
  /** Uncompressed bytes and files per upload request. */
  batchBytes: number;
  batchFiles: number;
  /** Files of at least this size go through the chunked route, in chunks of this size. */
  chunkSize: number;
  onProgress?: (progress: PushProgress) => void;
}

export interface PushProgress {
  phase: 'scanning' | 'hashing' | 'comparing' | 'uploading' | 'committing' | 'done';
  filesTotal: number;
  bytesTotal: number;
  /** Bytes of the files that need sending (known once compared with the server). */
  bytesToSend: number;
  /** Hashed locally (phase hashing). */
  filesHashed: number;
  /** Sent to the server (request bodies acknowledged, or chunks accepted). */
  filesSent: number;
  bytesSent: number;
  /** Server side: spooled (upload acknowledged), hashed (job progress), staged (job done). */
  spooled: number;
  hashed: number;
  staged: number;
  skipped: number;
  /** Staged by hash: the server had the content, no bytes sent (sluice only). */
  byHash: number;
  failed: number;
  /** A word on what the push is waiting for (the server away, busy), shown once with the progress. */
  notice?: string | null;
}

export interface PushSummary {
  workspaceId: string;
  files: number;
  /** Files and directories the ignore rules left out. */
  ignored: number;
  /** Already staged with the same content, or identical to the branch: not sent. */
  skipped: number;
  sent: number;
  staged: number;
  /** Sent files whose content the server already held (sluice reports it). */
  deduplicated: number;
  /** Staged by content hash without sending the bytes: the server already held them (sluice only). */
  stagedByHash: number;
  failed: Array<{ path: string; reason: string }>;
  bytesSent: number;
  seconds: number;
  commit: Commit | null;
  /** Why there is no commit when none was made. */
  commitNote: string | null;
}

interface Pending extends LocalFile {
  /** Path in the repository. */
  target: string;
  hash: string;
}

/** Failures a later round may fix: the server lost or could not yet process the file, or did not answer. */
const worthAnotherRound = (code: string) => code === 'unreachable' || worthResending(code);
const rounds = 3;

/**
 * Pushes files into a workspace and commits them: scan, hash locally, skip what the workspace
 * already has staged or the branch already holds at the same path (so a rerun resumes and an
 * unchanged dataset sends nothing), send small files as gzipped multipart batches with several in
 * flight and large ones in chunks, resend only what the server did not stage, and commit only
 * when every file made it.
 */
export async function push(options: PushOptions): Promise<PushSummary> {
  const started = performance.now();
  const { remote } = options;
  const client = new SluiceClient({
    baseUrl: remote.baseUrl, ...(options.token ? { token: options.token } : {}),
    // said at once, not after minutes of a frozen screen: the next progress clears it
    onRetry: (error, waitMs) => {
      progress.notice = `${error.status === 0 ? 'server unreachable' : `server answered ${error.status} (${error.code})`}, retrying in ${Math.max(1, Math.round(waitMs / 1000))}s`;
      report();
      progress.notice = null;
    },
  });
  const progress: PushProgress = { phase: 'scanning', filesTotal: 0, bytesTotal: 0, bytesToSend: 0, filesHashed: 0, filesSent: 0, bytesSent: 0, spooled: 0, hashed: 0, staged: 0, skipped: 0, byHash: 0, failed: 0 };
  const report = () => options.onProgress?.({ ...progress });
  const failed: PushSummary['failed'] = [];
  const fail = (path: string, reason: string) => {
    failed.push({ path, reason });
    progress.failed++;
  };

  await client.version();
  if (!(await client.repoExists(remote.namespace, remote.repo))) {
    throw new ClientError('repo_not_found', `repository ${remote.namespace}/${remote.repo} not found on ${remote.baseUrl}: create it with \`sluice repo create\``, 404);
  }
  const { files, unreadable, ignored } = await collectFiles(options.inputs, options.exclude ?? []);
  for (const u of unreadable) fail(u.path, u.reason);
  const candidates: Array<LocalFile & { target: string }> = [];
  for (const file of files) {
    try {
      candidates.push({ ...file, target: stagedPath(options.dst, file.path) });
    } catch (error) {
      fail(file.path, (error as Error).message);
    }
  }
  progress.filesTotal = candidates.length;
  progress.bytesTotal = candidates.reduce((sum, f) => sum + f.size, 0);
  progress.bytesToSend = progress.bytesTotal;
  progress.phase = 'hashing';
  report();

  const workspaceId = options.workspace ?? defaultWorkspaceId(options);
  const workspace = await client.workspace(remote.namespace, remote.repo, { id: workspaceId, branch: options.branch, ...(options.workspace ? { name: options.workspace } : {}) });

  const hashed: Pending[] = [];
  await mapLimit(candidates, 4, async (file) => {
    try {
      hashed.push({ ...file, hash: await hashFile(file.absolute, file.size) });
    } catch (error) {
      fail(file.path, `unreadable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    progress.filesHashed++;
    if (progress.filesHashed % 200 === 0) report();
  });

  progress.phase = 'comparing';
  report();
  const staged = await client.staged(remote.namespace, remote.repo, workspace.id);
  const base = await baseHashes(client, remote, workspace.commit.id, hashed.map((f) => f.target));
  const toSend = hashed.filter((file) => {
    const known = staged.has(file.target) ? staged.get(file.target) : base.get(file.target);
    return known !== file.hash;
  });
  progress.skipped = hashed.length - toSend.length;
  const unsent = await stageKnownContent(client, remote, workspace.id, toSend, progress);
  progress.bytesToSend = unsent.reduce((sum, f) => sum + f.size, 0);
  progress.phase = 'uploading';
  report();

  let deduplicated = 0;
  // files, not requests: a file sent again after a lost answer counts once
  const sentFiles = new Set<string>();
  const small = unsent.filter((f) => f.size < options.chunkSize);
  const large = unsent.filter((f) => f.size >= options.chunkSize);
  let remaining = small;
  for (let round = 0; round < rounds && remaining.length > 0; round++) {
    const retry: Pending[] = [];
    await mapLimit([...batches(remaining, options.batchBytes, options.batchFiles)], options.concurrency, async (batch) => {
      const outcome = await sendBatch(client, options, workspace.id, batch, progress, report);
      deduplicated += outcome.deduplicated;
      for (const file of batch) sentFiles.add(file.target);
      for (const file of batch) {
        const error = outcome.errors.get(file.target);
        if (outcome.staged.has(file.target)) continue;
        if (round < rounds - 1 && (error === undefined || worthAnotherRound(error.code))) retry.push(file);
        else fail(file.target, error ? `${error.code}: ${error.message}` : 'not staged by the server');
      }
    });
    remaining = retry;
  }
  await mapLimit(large, 2, async (file) => {
    try {
      await client.uploadLarge(remote.namespace, remote.repo, workspace.id, {
        hash: file.hash, size: file.size, fileName: file.target.split('/').pop()!, dstDir: file.target.split('/').slice(0, -1).join('/'),
        read: (offset, length) => readRange(file.absolute, offset, length),
      }, {
        chunkSize: options.chunkSize, concurrency: 4,
        onChunk: (bytes) => {
          progress.bytesSent += bytes;
          report();
        },
      });
      sentFiles.add(file.target);
      progress.filesSent++;
      progress.spooled++;
      progress.hashed++;
      progress.staged++;
    } catch (error) {
      fail(file.target, error instanceof ClientError ? `${error.code}: ${error.message}` : (error as Error).message);
    }
    report();
  });

  let commit: Commit | null = null;
  let commitNote: string | null = null;
  if (!options.commit) commitNote = 'not asked to commit';
  else if (failed.length > 0) commitNote = `not committed: ${failed.length} file(s) failed; fix them and run the same push again to resume`;
  else {
    progress.phase = 'committing';
    report();
    const nothing = 'nothing to commit: the branch already has these files';
    // Known without listing the workspace again: what it had staged, and what this push staged.
    if (staged.size === 0 && progress.staged === 0) {
      commitNote = nothing;
      // a workspace this push made and left empty is not left behind (a named one is the user's)
      if (!options.workspace) await client.deleteWorkspace(remote.namespace, remote.repo, workspace.id).catch(() => undefined);
    }
    else {
      const message = options.message.message ?? `sluice push of ${progress.filesTotal} file${progress.filesTotal === 1 ? '' : 's'}`;
      try {
        commit = await client.commit(remote.namespace, remote.repo, workspace.id, options.branch, { ...options.message, message });
      } catch (error) {
        // Files staged as unchanged against the branch leave nothing to commit: the server says 422 NoChanges.
        if (!(error instanceof ClientError && error.status === 422)) throw error;
        commitNote = nothing;
      }
    }
  }
  progress.phase = 'done';
  report();
  return {
    workspaceId: workspace.id,
    files: progress.filesTotal + unreadable.length,
    ignored,
    skipped: progress.skipped,
    sent: sentFiles.size,
    staged: progress.staged,
    deduplicated,
    stagedByHash: progress.byHash,
    failed,
    bytesSent: progress.bytesSent,
    seconds: (performance.now() - started) / 1000,
    commit,
    commitNote,
  };
}

/**
 * Stages by hash what the server already holds (sluice's stage_hashes) and returns the files it
 * lacks; against a server without the route, all of them.
 */
async function stageKnownContent(client: SluiceClient, remote: Remote, workspaceId: string, files: Pending[], progress: PushProgress): Promise<Pending[]> {
  const byPath = new Map(files.map((f) => [f.target, f]));
  const unsent: Pending[] = [];
  for (let start = 0; start < files.length; start += 5000) {
    const slice = files.slice(start, start + 5000);
    const answer = await client.stageHashes(remote.namespace, remote.repo, workspaceId, slice.map((f) => ({ path: f.target, hash: f.hash })));
    if (answer === null) return files;
    for (const path of answer.missing) unsent.push(byPath.get(path)!);
    progress.byHash += answer.paths.length;
    progress.staged += answer.paths.length;
  }
  return unsent;
}

/** A workspace id that the same push (remote, branch, destination, inputs) finds again. */
function defaultWorkspaceId(options: PushOptions): string {
  const { remote } = options;
  const key = [remote.baseUrl, remote.namespace, remote.repo, options.branch, options.dst, ...options.inputs.map((i) => resolve(i))].join('\n');
  return `push-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** Hashes of the base commit at the given paths, one directory listing per parent directory. */
async function baseHashes(client: SluiceClient, remote: Remote, commitId: string, paths: readonly string[]): Promise<Map<string, string>> {
  const dirs = [...new Set(paths.map((p) => p.split('/').slice(0, -1).join('/')))];
  const hashes = new Map<string, string>();
  await mapLimit(dirs, 8, async (dir) => {
    for (const entry of await client.listDir(remote.namespace, remote.repo, commitId, dir)) if (!entry.isDir) hashes.set(entry.path, entry.hash);
  });
  return hashes;
}

function* batches(files: readonly Pending[], maxBytes: number, maxFiles: number): Generator<Pending[]> {
  let batch: Pending[] = [];
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

interface BatchOutcome {
  staged: Set<string>;
  errors: Map<string, { code: string; message: string }>;
  deduplicated: number;
}

/** One upload request (gzipped parts, an idempotency key of its content) and, with sluice, its job. */
async function sendBatch(client: SluiceClient, options: PushOptions, workspaceId: string, batch: Pending[], progress: PushProgress, report: () => void): Promise<BatchOutcome> {
  const { remote } = options;
  const errors = new Map<string, { code: string; message: string }>();
  const parts = await Promise.all(batch.map(async (file) => ({ filename: file.target, content: await gzipAsync(await readFile(file.absolute), { level: gzipLevel }), gzip: true })));
  const key = createHash('sha256').update(workspaceId);
  for (const file of batch) key.update(`\n${file.target}\0${file.hash}`);
  const bytes = batch.reduce((sum, f) => sum + f.size, 0);
  try {
    // The parts carry full repository paths, so the upload's directory is the root.
    const answer = await client.upload(remote.namespace, remote.repo, workspaceId, '', parts, { idempotencyKey: key.digest('hex'), async: options.async });
    progress.filesSent += batch.length;
    progress.bytesSent += bytes;
    progress.spooled += batch.length;
    report();
    if (answer.paths) {
      progress.hashed += answer.paths.length;
      progress.staged += answer.paths.length;
      return { staged: new Set(answer.paths), errors, deduplicated: 0 };
    }
    let seen = 0;
    const job: Job = await client.waitForJob(answer.job.id, (reading) => {
      const done = reading.progress?.files_done ?? 0;
      progress.hashed += done - seen;
      seen = done;
      report();
    });
    progress.hashed += batch.length - seen;
    if (job.state === 'failed') {
      for (const file of batch) errors.set(file.target, job.error ?? { code: 'job_failed', message: `job ${job.id} failed` });
      return { staged: new Set(), errors, deduplicated: 0 };
    }
    for (const result of job.files ?? []) if ('error' in result) errors.set(result.path, result.error);
    progress.staged += job.paths?.length ?? 0;
    return { staged: new Set(job.paths ?? []), errors, deduplicated: job.deduplicated ?? 0 };
  } catch (error) {
    const code = error instanceof ClientError ? error.code : 'error';
    for (const file of batch) errors.set(file.target, { code, message: (error as Error).message });
    return { staged: new Set(), errors, deduplicated: 0 };
  }
}
