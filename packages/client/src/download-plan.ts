import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFile } from './local-files.js';
import type { RepoReads } from './repo-reads.js';

/** A file of the archive as the listing gives it: its path below the downloaded directory. */
export interface RemoteFile {
  path: string;
  hash: string;
  size: number;
}

/**
 * Consecutive files (in archive order) to fetch with one archive request: the entries after
 * `after` (null: from the start), up to `last` (null: to the end of the archive); `first` is the
 * entry the answer must begin with (null when not known: a download into an empty directory).
 */
export interface Run {
  after: string | null;
  first: string | null;
  last: string | null;
}

/** The order the archive route sends a directory's children in: by their names' UTF-8 bytes. */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * Every file under `dir` at a commit, in archive order (depth first, children by name bytes),
 * through the `dir` route a page at a time; only the directory being listed is held.
 */
export async function* remoteFiles(
  reads: RepoReads,
  commitId: string,
  dir: string,
  below = '',
): AsyncGenerator<RemoteFile> {
  const children: Array<{ name: string; isDir: boolean; hash: string; size: number }> = [];
  for (let page = 1, pages = 1; page <= pages; page++) {
    const listing = await reads.dirPage(commitId, dir, page, 1000);
    pages = listing.totalPages;
    children.push(...listing.items);
  }
  children.sort((a, b) => byBytes(a.name, b.name));
  for (const child of children) {
    const path = below === '' ? child.name : `${below}/${child.name}`;
    if (child.isDir) yield* remoteFiles(reads, commitId, dir === '' ? child.name : `${dir}/${child.name}`, path);
    else yield { path, hash: child.hash, size: child.size };
  }
}

/** Whether the local file is the remote one: the same size, then the same Oxen hash. */
async function identicalHere(local: string, file: RemoteFile): Promise<boolean> {
  const info = await stat(local).catch(() => null);
  if (info === null || !info.isFile() || info.size !== file.size) return false;
  return (await hashFile(local, info.size)) === file.hash;
}

/**
 * The runs of files a download still needs: each remote file whose local copy under `to` is
 * missing or differs, grouped into runs of neighbours in archive order, so a resumed download
 * (complete files first, in order) is one request from where it stopped, and files already
 * here are never fetched. Holds the runs, not the files.
 */
export async function planRuns(
  files: AsyncIterable<RemoteFile>,
  to: string,
  onFile: (file: RemoteFile, here: boolean) => void,
): Promise<Run[]> {
  const runs: Run[] = [];
  let open: Run | null = null;
  let previous: string | null = null;
  for await (const file of files) {
    const here = await identicalHere(join(to, file.path), file);
    onFile(file, here);
    if (!here) {
      if (open === null) open = { after: previous, first: file.path, last: file.path };
      else open.last = file.path;
    } else if (open !== null) {
      runs.push(open);
      open = null;
    }
    previous = file.path;
  }
  // the last run goes to the end of the archive: no need to stop the answer early
  if (open !== null) runs.push({ ...open, last: null });
  return runs;
}
