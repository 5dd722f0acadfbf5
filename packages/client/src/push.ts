import { mapLimit, stagedPath, worthResending } from '@sluice/core';
import { ClientError } from './client-error.js';
import type { PushOptions, PushProgress, PushSummary } from './push-types.js';
import { gzipParts } from './gzip-choice.js';
import { collectFiles, hashAndKeep, readRange, type LocalFile } from './local-files.js';
import { batches, Lanes, sendBatch, type BatchTarget, type PendingFile } from './push-batches.js';
import { baseHashes, defaultWorkspaceId, stageKnownContent } from './push-compare.js';
import { SluiceClient, type Commit } from './sluice-client.js';

export type { PushOptions, PushProgress, PushSummary } from './push-types.js';

/** Failures a later round may fix: the server lost or could not yet process the file, or did not answer. */
const worthAnotherRound = (code: string) => code === 'unreachable' || worthResending(code);
const rounds = 3;
/** Files hashed and compared per step: sending starts after the first step, not after the last file is hashed. */
const stepFiles = 1000;
// small: a step's small files are held from hashing to sending, two steps at most
const stepBytes = 32 * 1024 * 1024;

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
    baseUrl: remote.baseUrl,
    ...(options.token ? { token: options.token } : {}),
    ...(options.retryForMs !== undefined ? { retryForMs: options.retryForMs } : {}),
    // said at once, not after minutes of a frozen screen: the next progress clears it
    onRetry: (error, waitMs) => {
      progress.notice =
        `${error.status === 0 ? 'server unreachable' : `server answered ${error.status} (${error.code})`}, ` +
        `retrying in ${Math.max(1, Math.round(waitMs / 1000))}s`;
      report();
      progress.notice = null;
    },
  });
  const progress: PushProgress = {
    phase: 'scanning',
    filesTotal: 0,
    bytesTotal: 0,
    bytesToSend: 0,
    filesHashed: 0,
    filesSent: 0,
    bytesSent: 0,
    spooled: 0,
    hashed: 0,
    staged: 0,
    skipped: 0,
    byHash: 0,
    failed: 0,
  };
  const report = () => options.onProgress?.({ ...progress });
  const failed: PushSummary['failed'] = [];
  const fail = (path: string, reason: string) => {
    failed.push({ path, reason });
    progress.failed++;
  };

  await client.version();
  if (!(await client.repoExists(remote.namespace, remote.repo))) {
    throw new ClientError(
      'repo_not_found',
      `repository ${remote.namespace}/${remote.repo} not found on ${remote.baseUrl}: create it with \`sluice ` +
        `repo create\``,
      404,
    );
  }
  const { files, unreadable, ignored } = await collectFiles(options.inputs, {
    exclude: options.exclude ?? [],
    gitignore: options.gitignore ?? true,
  });
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

  const workspaceId = options.workspace ?? defaultWorkspaceId(options);
  const workspace = await client.workspace(remote.namespace, remote.repo, {
    id: workspaceId,
    branch: options.branch,
    ...(options.workspace ? { name: options.workspace } : {}),
  });
  progress.phase = 'comparing';
  report();
  const staged = await client.staged(remote.namespace, remote.repo, workspace.id);
  const base = await baseHashes(
    client,
    remote,
    workspace.commit.id,
    candidates.map((f) => f.target),
  );

  // A pipeline: each step of files is hashed, compared and staged by hash while the batches of
  // the steps before it are on the wire, so the server never waits for the client to hash.
  const target: BatchTarget = {
    client,
    remote,
    workspaceId: workspace.id,
    async: options.async,
    gzip: gzipParts(options.gzip ?? 'auto', remote.baseUrl),
    progress,
    report,
  };
  const lanes = new Lanes(options.concurrency);
  let deduplicated = 0;
  // files, not requests: a file sent again after a lost answer counts once
  const sentFiles = new Set<string>();
  const resend: PendingFile[] = [];
  const large: PendingFile[] = [];
  const send = async (batch: PendingFile[], lastRound: boolean, retry: PendingFile[]) => {
    const outcome = await sendBatch(target, batch);
    deduplicated += outcome.deduplicated;
    for (const file of batch) {
      sentFiles.add(file.target);
      const error = outcome.errors.get(file.target);
      if (outcome.staged.has(file.target)) continue;
      if (!lastRound && (error === undefined || worthAnotherRound(error.code))) retry.push(file);
      else fail(file.target, error ? `${error.code}: ${error.message}` : 'not staged by the server');
    }
  };
  progress.phase = 'hashing';
  report();
  for (const step of batches(candidates, stepBytes, stepFiles)) {
    const hashed = await hashFiles(step, options.chunkSize, progress, report, fail);
    const changed = hashed.filter(
      (file) => (staged.has(file.target) ? staged.get(file.target) : base.get(file.target)) !== file.hash,
    );
    progress.skipped += hashed.length - changed.length;
    const unsent = await stageKnownContent(client, remote, workspace.id, changed, progress);
    progress.bytesToSend -= sizeOf(step) - sizeOf(unsent);
    for (const f of unsent) if (f.size >= options.chunkSize) large.push(f);
    const small = unsent.filter((f) => f.size < options.chunkSize);
    if (small.length > 0 && progress.phase === 'hashing') progress.phase = 'uploading';
    for (const batch of batches(small, options.batchBytes, options.batchFiles))
      await lanes.add(() => send(batch, false, resend));
  }
  await lanes.idle();
  progress.phase = 'uploading';
  report();
  // later rounds: what the server did not stage, sent again
  let remaining = resend.splice(0);
  for (let round = 1; round < rounds && remaining.length > 0; round++) {
    const retry: PendingFile[] = [];
    await mapLimit([...batches(remaining, options.batchBytes, options.batchFiles)], options.concurrency, (batch) =>
      send(batch, round === rounds - 1, retry),
    );
    remaining = retry;
  }
  await mapLimit(large, 2, async (file) => {
    try {
      await client.uploadLarge(
        remote.namespace,
        remote.repo,
        workspace.id,
        {
          hash: file.hash,
          size: file.size,
          fileName: file.target.split('/').pop()!,
          dstDir: file.target.split('/').slice(0, -1).join('/'),
          read: (offset, length) => readRange(file.absolute, offset, length),
        },
        {
          chunkSize: options.chunkSize,
          concurrency: 4,
          onChunk: (bytes) => {
            progress.bytesSent += bytes;
            report();
          },
        },
      );
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
  else if (failed.length > 0)
    commitNote =
      `not committed: ${failed.length} file(s) failed; fix them and run the same push again to resume (what the ` +
      `server staged is not sent again)`;
  else {
    progress.phase = 'committing';
    report();
    const nothing = 'nothing to commit: the branch already has these files';
    // Known without listing the workspace again: what it had staged, and what this push staged.
    if (staged.size === 0 && progress.staged === 0) {
      commitNote = nothing;
      // a workspace this push made and left empty is not left behind (a named one is the user's)
      if (!options.workspace)
        await client.deleteWorkspace(remote.namespace, remote.repo, workspace.id).catch(() => undefined);
    } else {
      const message =
        options.message.message ?? `sluice push of ${progress.filesTotal} file${progress.filesTotal === 1 ? '' : 's'}`;
      try {
        commit = await client.commit(remote.namespace, remote.repo, workspace.id, options.branch, {
          ...options.message,
          message,
        });
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

const sizeOf = (files: readonly LocalFile[]) => files.reduce((sum, f) => sum + f.size, 0);

/**
 * Oxen hashes of the files, four read at once, keeping what goes in batches; a file that cannot be read fails alone.
 */
async function hashFiles(
  files: ReadonlyArray<LocalFile & { target: string }>,
  keepBelow: number,
  progress: PushProgress,
  report: () => void,
  fail: (path: string, reason: string) => void,
): Promise<PendingFile[]> {
  const hashed: PendingFile[] = [];
  await mapLimit(files, 4, async (file) => {
    try {
      hashed.push({ ...file, ...(await hashAndKeep(file.absolute, file.size, keepBelow)) });
    } catch (error) {
      fail(file.path, `unreadable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    progress.filesHashed++;
    if (progress.filesHashed % 200 === 0) report();
  });
  return hashed;
}
