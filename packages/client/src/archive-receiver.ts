import { rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { OxenHasher } from '@sluice/core';
import { ClientError } from './client-error.js';
import type { DownloadProgress } from './download-types.js';
import { checkDestination, makeParents, openPart, writeFailure } from './local-target.js';
import type { TarFile } from './tar-reader.js';

/** The pax record the archive route puts on every entry: the Oxen hash of its content. */
export const hashRecord = 'SLUICE.hash';
/** Where a file is written before it is whole and verified; a rerun writes it again. */
export const partSuffix = '.sluice-part';

/** A path from the archive that stays under the target: relative, no `..`, no empty or `.` segment. */
function safePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\0') || path.includes('\\')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/** Files up to this size are held whole and written while the next ones are read. */
const heldFileBytes = 1024 * 1024;
const writesInFlight = 16;

export interface ArchiveReceiver {
  /**
   * Writes one entry under its temporary name while hashing it; renames it when its hash holds.
   * A file that cannot be written here (a directory in its place, a full disk) fails alone, and
   * its bytes are still read whole: the next entry begins after them.
   */
  receive(file: TarFile): Promise<void>;
  /** Every write under way, finished (a run's end, a resume, the end). */
  written(): Promise<void>;
}

/** Writes the files of an archive under `to`, counting them in `progress`; `fail` is told of each one left out. */
export function archiveReceiver(
  to: string,
  hasher: OxenHasher,
  progress: DownloadProgress,
  fail: (path: string, reason: string) => void,
  report: () => void,
): ArchiveReceiver {
  const made = new Set<string>();

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
  const written = async () => {
    while (writing.size > 0) await Promise.all([...writing]);
  };

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

  return { receive, written };
}
