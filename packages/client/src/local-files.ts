import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { IgnoreRules } from './ignore-rules.js';
import { createOxenHasher, oxenHash } from '@sluice/core';

export interface LocalFile {
  absolute: string;
  /** Path under the push's destination, `/`-separated: relative to a directory given, or the file's name. */
  path: string;
  size: number;
}

export interface Unreadable {
  path: string;
  reason: string;
}

/** What decides which files of a walk are left out (see IgnoreRules). */
export interface WalkOptions {
  /** gitignore patterns, relative to each directory pushed. */
  exclude?: readonly string[];
  /** Whether `.gitignore` files (and `.git/info/exclude`) count, besides `.sluiceignore` (default yes). */
  gitignore?: boolean;
}

/** Files under a directory left out whole: counted, not read (`.git` is never data, and not counted). */
async function filesUnder(absolute: string): Promise<number> {
  const entries = await readdir(absolute, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => !entry.isDirectory()).length;
}

/**
 * The files a push sends: every regular file under each directory (symbolic links followed)
 * that its ignore rules let through, and each file given by name (named files are sent whatever
 * the rules say). What cannot be read is reported, not thrown. `ignored` counts files, not the
 * directories they were left out with.
 */
export async function collectFiles(
  inputs: readonly string[],
  options: WalkOptions = {},
): Promise<{ files: LocalFile[]; unreadable: Unreadable[]; ignored: number }> {
  const files: LocalFile[] = [];
  const unreadable: Unreadable[] = [];
  let ignored = 0;
  const visit = async (absolute: string, path: string, rules: IgnoreRules | null): Promise<void> => {
    let info;
    try {
      info = await stat(absolute);
    } catch (error) {
      unreadable.push({
        path,
        reason: `unreadable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      });
      return;
    }
    if (rules !== null && path !== '' && rules.ignores(absolute, info.isDirectory())) {
      if (!info.isDirectory()) ignored++;
      else if (basename(absolute) !== '.git') ignored += await filesUnder(absolute);
      return;
    }
    if (info.isDirectory()) {
      const names = await readdir(absolute).catch((error: NodeJS.ErrnoException) => {
        unreadable.push({ path, reason: `unreadable: ${error.code ?? error.message}` });
        return [] as string[];
      });
      const inside = rules === null || path === '' ? rules : await rules.enter(absolute);
      for (const name of names.sort()) {
        const child = path === '' ? name : `${path}/${name}`;
        // Node decodes a name that is not UTF-8 lossily: it could be neither opened nor staged under it.
        if (name.includes('\uFFFD')) unreadable.push({ path: child, reason: 'the file name is not valid UTF-8' });
        else await visit(join(absolute, name), child, inside);
      }
    } else if (info.isFile()) {
      files.push({ absolute, path, size: info.size });
    } else {
      unreadable.push({ path, reason: 'not a regular file' });
    }
  };
  for (const input of inputs) {
    const info = await stat(input).catch(() => null);
    if (info?.isDirectory()) {
      const top = resolve(input);
      await visit(
        top,
        '',
        await IgnoreRules.forInput(top, { exclude: options.exclude ?? [], gitignore: options.gitignore ?? true }),
      );
    } else await visit(input, basename(input), null);
  }
  return { files, unreadable, ignored };
}

/** Files up to this size are read whole and hashed at once; larger ones are streamed. */
const wholeFileBytes = 16 * 1024 * 1024;

/** The Oxen hash of a file's content (any size, bounded memory). */
export async function hashFile(absolute: string, size: number): Promise<string> {
  return (await hashAndKeep(absolute, size, 0)).hash;
}

/**
 * The Oxen hash of a file, and its content when it is smaller than `keepBelow` bytes: a push that
 * sends the file next need not read it twice.
 */
export async function hashAndKeep(
  absolute: string,
  size: number,
  keepBelow: number,
): Promise<{ hash: string; content?: Buffer }> {
  // A hasher costs a WebAssembly instance: small files share one (hashed without awaiting in between).
  if (size <= wholeFileBytes) {
    const content = await readFile(absolute);
    const hash = await oxenHash(content);
    return content.length < keepBelow ? { hash, content } : { hash };
  }
  const hasher = await createOxenHasher();
  hasher.init();
  for await (const chunk of createReadStream(absolute, { highWaterMark: 1024 * 1024 })) hasher.update(chunk as Buffer);
  return { hash: hasher.digest() };
}

/** `length` bytes of a file from `offset`. */
export async function readRange(absolute: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(absolute, 'r');
  try {
    const buffer = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
      if (bytesRead === 0) throw new Error(`${absolute} shrank while it was being sent`);
      done += bytesRead;
    }
    return buffer;
  } finally {
    await handle.close();
  }
}
