import { mkdir, readdir } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { createOxenHasher } from '@sluice/core';
import { archiveReceiver } from './archive-receiver.js';
import { ClientError } from './client-error.js';
import { planRuns, remoteFiles, type Run } from './download-plan.js';
import { gzipParts } from './gzip-choice.js';
import type { DownloadOptions, DownloadProgress, DownloadSummary } from './download-types.js';
import { isTransportError } from './is-transport-error.js';
import { keepWhatArrived } from './keep-what-arrived.js';
import { RepoReads } from './repo-reads.js';
import { SluiceClient } from './sluice-client.js';
import { readTar, TarError } from './tar-reader.js';

export type { DownloadOptions, DownloadProgress, DownloadSummary } from './download-types.js';
export { hashRecord, partSuffix } from './archive-receiver.js';

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

  const fail = (path: string, reason: string) => {
    failed.push({ path, reason });
    progress.failed++;
  };
  const { receive, written } = archiveReceiver(to, hasher, progress, fail, report);

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
