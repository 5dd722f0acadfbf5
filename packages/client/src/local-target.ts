import { constants } from 'node:fs';
import { lstat, mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Something here that the download must not write through or over: a file where the repository
 * has a directory, a directory where it has a file, a symbolic link on the way. A rerun cannot
 * cure it; the file fails alone and the rest of the download goes on.
 */
export class LocalConflict extends Error {
  readonly code = 'local_conflict';
}

/**
 * Makes the directories of `path` (relative, checked safe) under `to`, one component at a time,
 * each checked with lstat: a symbolic link or a file on the way is a LocalConflict, so nothing
 * is ever written outside the target through a link. `made` caches the directories known good.
 */
export async function makeParents(to: string, path: string, made: Set<string>): Promise<void> {
  const segments = path.split('/').slice(0, -1);
  let dir = to;
  for (const [i, segment] of segments.entries()) {
    dir = join(dir, segment);
    if (made.has(dir)) continue;
    const info = await lstat(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    const shown = segments.slice(0, i + 1).join('/');
    if (info === null)
      await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
    else if (info.isSymbolicLink()) throw new LocalConflict(`${shown} here is a symbolic link: not written through`);
    else if (!info.isDirectory()) {
      throw new LocalConflict(`${shown} here is a file where the repository has a directory`);
    }
    made.add(dir);
  }
}

/** Fails when a directory (or anything but a file or a link, which a rename replaces) is where the file goes. */
export async function checkDestination(destination: string, path: string): Promise<void> {
  const info = await lstat(destination).catch(() => null);
  if (info !== null && info.isDirectory()) {
    throw new LocalConflict(`${path} here is a directory where the repository has a file`);
  }
}

/** Opens a temporary file for writing without following a link put in its place. */
export function openPart(part: string): Promise<FileHandle> {
  return open(part, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o666);
}

/** Why a file could not be written here, as the summary shows it. */
export function writeFailure(error: unknown): string {
  if (error instanceof LocalConflict) return `local_conflict: ${error.message}`;
  const failure = error as NodeJS.ErrnoException;
  if (failure.code === 'ELOOP') return 'local_conflict: a symbolic link is where the file goes: not written through';
  return `cannot be written here: ${failure.code ?? failure.message}`;
}
