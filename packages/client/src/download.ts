import { mkdir, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { PassThrough, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { createOxenHasher } from '@sluice/core';
import { ClientError } from './client-error.js';
import { planRuns, remoteFiles, type Run } from './download-plan.js';
import { gzipParts, type GzipMode } from './gzip-choice.js';
import { checkDestination, makeParents, openPart, writeFailure } from './local-target.js';
import type { Remote } from './remote.js';
import { RepoReads } from './repo-reads.js';
import { SluiceClient } from './sluice-client.js';
import { readTar, TarError, type TarFile } from './tar-reader.js';

export interface DownloadOptions {
  remote: Remote;
  token?: string;
  /** A directory or a file of the repository ('' for all of it). */
  path: string;
  /** A branch or a commit id. */
  revision: string;
  /** Where the files go; by default a directory named after the path (the repository for ''), or `.` for a file. */
  to?: string;
  gzip?: GzipMode;
  /** How long (ms) a cut or refused transfer keeps being resumed from its last whole file (default 30 s). */
  retryForMs?: number;
  onProgress?: (progress: DownloadProgress) => void;
}

export interface DownloadProgress {
  phase: 'comparing' | 'downloading' | 'done';
  /** Files to fetch, known once compared (null while unknown: a download into an empty directory). */
  filesToFetch: number | null;
  fetched: number;
  skipped: number;
  failed: number;
  bytesFetched: number;
  /** The bytes under the path at the revision. */
  bytesTotal: number;
  notice?: string | null;
}

export interface DownloadSummary {
  commit: string;
  to: string;
  /** Files fetched, verified and written. */
  fetched: number;
  /** Files already here with the same content (hashed): not fetched. */
  skipped: number;
  /** Files whose hash was checked: every fetched and every skipped one. */
  verified: number;
  failed: Array<{ path: string; reason: string }>;
  bytesFetched: number;
  /** Archive requests made (a resumed cut and each run of missing files are one each). */
  requests: number;
  seconds: number;
}

/** The pax record the archive route puts on every entry: the Oxen hash of its content. */
export const hashRecord = 'SLUICE.hash';
/** Where a file is written before it is whole and verified; a rerun writes it again. */
export const partSuffix = '.sluice-part';

/** A path from the archive that stays under the target: relative, no `..`, no empty or `.` segment. */
function safePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\0') || path.includes('\\')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

const isEmptyDir = async (dir: string) => (await readdir(dir).catch(() => [])).length === 0;

/**
 * Downloads a directory (or a file) at a revision through the archive route: the revision is
 * pinned to its commit; unless the target is empty, the listing is compared with what is here
 * (same size, then same hash) and only the runs of missing or different files are asked for,
 * each with `after=` the file before it; every file is hashed as it arrives and checked against
 * its pax hash, written to a temporary name and renamed only when whole and verified. A cut
 * transfer resumes after its last whole file for `retryForMs`; after that, the same command
 * resumes from what is on disk. A file whose bytes do not match its hash is reported and left
 * out (nothing written), and the download goes on.
 */
export async function download(options: DownloadOptions): Promise<DownloadSummary> {
  const started = performance.now();
  const { remote } = options;
  const retryForMs = options.retryForMs ?? 30_000;
  const client = new SluiceClient({
    baseUrl: remote.baseUrl,
    retryForMs,
    ...(options.token ? { token: options.token } : {}),
  });
  const reads = new RepoReads(client, remote.namespace, remote.repo);
  await reads.requireRepo();
  const commit = await reads.commitOf(options.revision);
  const path = options.path.replace(/^\/+|\/+$/g, '');
  const entry = await reads.entryAt(commit.id, path);
  const to = options.to ?? (entry.isDir ? (path === '' ? remote.repo : basename(path)) : '.');
  const progress: DownloadProgress = {
    phase: 'comparing',
    filesToFetch: null,
    fetched: 0,
    skipped: 0,
    failed: 0,
    bytesFetched: 0,
    bytesTotal: entry.size,
  };
  const report = () => options.onProgress?.({ ...progress });
  const failed: DownloadSummary['failed'] = [];
  report();

  let runs: Run[];
  // an empty repository (or directory) still gives its directory: the download said "into <to>"
  if (entry.isDir) await mkdir(to, { recursive: true });
  if (entry.isDir && (await isEmptyDir(to))) runs = [{ after: null, first: null, last: null }];
  else {
    const files = entry.isDir
      ? remoteFiles(reads, commit.id, path)
      : (async function* () {
          yield { path: basename(path), hash: entry.hash, size: entry.size };
        })();
    progress.filesToFetch = 0;
    runs = await planRuns(files, to, (_file, here) => {
      if (here) progress.skipped++;
      else progress.filesToFetch!++;
    });
  }
  progress.phase = 'downloading';
  report();

  const hasher = await createOxenHasher();
  const gzip = gzipParts(options.gzip ?? 'auto', remote.baseUrl);
  const archivePath = (after: string | null) => {
    const query = new URLSearchParams({
      ...(gzip ? { gzip: 'true' } : {}),
      ...(after === null ? {} : { after }),
    }).toString();
    const target = path === '' ? '' : `/${path.split('/').map(encodeURIComponent).join('/')}`;
    return (
      `/api/repos/${encodeURIComponent(remote.namespace)}/${encodeURIComponent(remote.repo)}/archive/` +
      `${commit.id}${target}${query === '' ? '' : `?${query}`}`
    );
  };

  const made = new Set<string>();
  const fail = (path: string, reason: string) => {
    failed.push({ path, reason });
    progress.failed++;
  };

  /**
   * A small file is held whole, hashed, and written (temporary name, then rename) while the next
   * entries are read: the writes of up to `writesInFlight` files overlap, rather than four file
   * system round trips per file one after the other. Only verified bytes are ever written.
   */
  const writing = new Set<Promise<void>>();
  const receiveSmall = async (file: TarFile, destination: string, part: string): Promise<void> => {
    const pieces: Buffer[] = [];
    hasher.init();
    for await (const piece of file.body) {
      hasher.update(piece);
      pieces.push(piece);
      progress.bytesFetched += piece.length;
    }
    const hash = hasher.digest();
    const expected = file.pax[hashRecord];
    if (expected !== hash) {
      fail(
        file.path,
        expected === undefined
          ? 'the archive gave no hash for it'
          : `hash mismatch: expected ${expected}, received bytes hash to ${hash} (damaged in transit)`,
      );
      return;
    }
    const write = (async () => {
      await makeParents(to, file.path, made);
      await checkDestination(destination, file.path);
      const handle = await openPart(part);
      try {
        await handle.writeFile(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces));
      } finally {
        await handle.close();
      }
      await rename(part, destination);
      progress.fetched++;
      if (progress.fetched % 100 === 0) report();
    })()
      .catch(async (error: unknown) => {
        await rm(part, { force: true }).catch(() => undefined);
        fail(file.path, writeFailure(error));
      })
      .finally(() => writing.delete(write));
    writing.add(write);
    if (writing.size >= writesInFlight) await Promise.race(writing);
  };
  /** Every write under way, finished (a run's end, a resume, the end). */
  const written = async () => {
    while (writing.size > 0) await Promise.all([...writing]);
  };

  /**
   * Writes one entry under its temporary name while hashing it; renames it when its hash holds.
   * A file that cannot be written here (a directory in its place, a full disk) fails alone, and
   * its bytes are still read whole: the next entry begins after them.
   */
  const receive = async (file: TarFile): Promise<void> => {
    if (!safePath(file.path))
      throw new ClientError('bad_archive', `the archive names a path outside the target: ${JSON.stringify(file.path)}`);
    const destination = join(to, file.path);
    const part = destination + partSuffix;
    if (file.size <= heldFileBytes) return receiveSmall(file, destination, part);
    let localError: unknown = null;
    const local = (error: unknown) => {
      localError ??= error;
    };
    let handle: FileHandle | null = null;
    try {
      // one check per directory, not per file: a directory of 20,000 files is made once
      await makeParents(to, file.path, made);
      await checkDestination(destination, file.path);
      handle = await openPart(part);
    } catch (error) {
      local(error);
    }
    hasher.init();
    try {
      for await (const piece of file.body) {
        hasher.update(piece);
        progress.bytesFetched += piece.length;
        if (handle !== null && localError === null) await handle.write(piece).catch(local);
      }
    } finally {
      // also when the transfer is cut inside this file: the resume writes it again from its start
      await handle?.close().catch(local);
    }
    const hash = hasher.digest();
    const expected = file.pax[hashRecord];
    let reason: string | null =
      expected === undefined
        ? 'the archive gave no hash for it'
        : expected !== hash
          ? `hash mismatch: expected ${expected}, received bytes hash to ${hash} (damaged in transit)`
          : null;
    if (reason === null && localError === null) await rename(part, destination).catch(local);
    if (localError !== null) reason = writeFailure(localError);
    if (reason !== null) {
      await rm(part, { force: true }).catch(() => undefined);
      fail(file.path, reason);
      return;
    }
    progress.fetched++;
    if (progress.fetched % 100 === 0) report();
  };

  let requests = 0;
  for (const run of runs) {
    let after = run.after;
    let expectFirst = run.first;
    let failingSince = 0;
    let resumedAfter: string | null;
    // attempt is reset by every whole file: the backoff grows only while nothing arrives
    for (let attempt = 0; ; attempt++) {
      try {
        requests++;
        resumedAfter = attempt > 0 || failingSince > 0 ? after : null;
        const response = await client.openStream(archivePath(after));
        const received = keepWhatArrived(response);
        // a gunzip error reaches the reader through the gunzip stream; pipeline also closes what came before it
        const body = gzip ? pipeline(received, createGunzip(), () => undefined) : received;
        let reachedLast = false;
        try {
          for await (const file of readTar(body)) {
            if (expectFirst !== null && file.path !== expectFirst) {
              throw new ClientError(
                'bad_archive',
                `the archive began with ${file.path}, not ${expectFirst}: it does not match the listing`,
              );
            }
            // a resume that sends again the file it was to begin after is no progress: never a loop
            if (file.path === resumedAfter) {
              const repeated = `the archive sent ${file.path} again though asked for what follows it`;
              throw new ClientError('bad_archive', repeated);
            }
            expectFirst = null;
            resumedAfter = null;
            await receive(file);
            after = file.path;
            failingSince = 0;
            attempt = 0;
            if (run.last !== null && file.path === run.last) {
              reachedLast = true;
              break;
            }
          }
        } finally {
          // a run that ends before the archive does: stop the transfer of the rest
          if (reachedLast || !response.complete) response.destroy();
          await written();
        }
        break;
      } catch (error) {
        // a wrong archive (a name outside the target, a bad header) is not a cut: trying again cannot cure it
        const cut =
          error instanceof TarError
            ? error.truncated
            : error instanceof ClientError
              ? error.retryable
              : isTransportError(error);
        failingSince ||= Date.now();
        const left = retryForMs - (Date.now() - failingSince);
        if (!cut || left <= 0) {
          if (error instanceof ClientError && !cut) throw error;
          const message = (error as Error).message;
          throw new ClientError(cut ? 'transfer_cut' : 'bad_archive', `the download stopped: ${message}`);
        }
        const wait = Math.min(250 * 2 ** attempt, 8000, left);
        progress.notice =
          `transfer cut (${(error as Error).message}), resuming after ${after ?? 'the start'} in ` +
          `${Math.max(1, Math.round(wait / 1000))}s`;
        report();
        progress.notice = null;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }
  client.close();
  progress.phase = 'done';
  report();
  return {
    commit: commit.id,
    to,
    fetched: progress.fetched,
    skipped: progress.skipped,
    verified: progress.fetched + progress.skipped,
    failed,
    bytesFetched: progress.bytesFetched,
    requests,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Files up to this size are held whole and written while the next ones are read. */
const heldFileBytes = 1024 * 1024;
const writesInFlight = 16;

/** Bytes of an answer held ahead of the reader: enough for the files in flight, bounded all the same. */
const aheadBytes = 4 * 1024 * 1024;

/**
 * The answer's bytes through a buffer that ends, rather than fails, when the answer is cut: Node
 * drops what an answer has buffered when its connection closes early, so the files that did
 * arrive whole would be fetched again. Read through this, they are written, and the reader
 * then meets a cut archive (a truncated TarError, or gunzip's unexpected end) and resumes after them.
 */
function keepWhatArrived(response: IncomingMessage): PassThrough {
  const kept = new PassThrough({ highWaterMark: aheadBytes });
  let ended = false;
  const end = () => {
    if (!ended) kept.end();
    ended = true;
  };
  response.on('data', (chunk: Buffer) => {
    if (!kept.write(chunk)) response.pause();
  });
  kept.on('drain', () => response.resume());
  response.on('end', end);
  response.on('error', end);
  response.on('close', end);
  // the reader stopped (a run's last file, or an error): the answer goes too
  kept.on('close', () => response.destroy());
  return kept;
}

/** A socket or stream failure (reset, closed early, a gzip stream cut): worth resuming. */
function isTransportError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return (
    [
      'ECONNRESET',
      'ECONNREFUSED',
      'EPIPE',
      'ETIMEDOUT',
      'ERR_STREAM_PREMATURE_CLOSE',
      'Z_BUF_ERROR',
      'ECONNABORTED',
    ].includes(code) || (error as Error).message === 'aborted'
  );
}
