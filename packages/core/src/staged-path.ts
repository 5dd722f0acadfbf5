import { isWellFormed } from './well-formed.js';
import { SluiceError } from './sluice-error.js';

/**
 * The longest repository path sluice stages, in UTF-8 bytes after normalization (Linux's
 * PATH_MAX). It bounds every route that names a path alike, so no route stages a path the others
 * refuse, and a commit's directory walk stays short (a 4096-byte path is at most 2048 levels).
 */
export const maxPathBytes = 4096;

/**
 * Where a multipart part is staged: the URL directory joined with the part's filename, then
 * normalized component by component, as the Oxen server and client both do (docs/architecture.md#paths).
 * The join follows Rust `Path::join`: an absolute filename replaces the directory (and is then
 * rejected); a backslash is an ordinary character.
 */
export function stagedPath(directory: string, filename: string): string {
  const joined = filename.startsWith('/') ? filename : directory === '' ? filename : `${directory}/${filename}`;
  return normalizeRelativePath(joined, () => `directory "${directory}", file "${filename}"`);
}

/**
 * Normalizes a repository-relative path, rejecting what could escape the repository and paths
 * past maxPathBytes: the one check of every route that names a path.
 */
export function normalizeRelativePath(path: string, describe: () => string = () => `"${path}"`): string {
  const fail = (reason: string): never => {
    throw new SluiceError('invalid_path', `Invalid staging path (${describe()}): ${reason}`);
  };
  if (path.includes('\0')) fail('path cannot contain NUL bytes');
  // A filename that was not valid UTF-8 arrives with U+FFFD in place of its bytes: staging it
  // would silently rename the file, and the client could never reconcile it.
  if (path.includes('\uFFFD')) fail('path is not valid UTF-8');
  // The same from JSON: a lone surrogate would be stored as U+FFFD under a name nobody sent.
  if (!isWellFormed(path)) fail('path holds an unpaired UTF-16 surrogate');
  if (path.startsWith('/')) fail('path must be relative, not absolute');
  const kept: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') fail('path cannot contain parent directory references (..)');
    kept.push(segment);
  }
  if (kept.length === 0) fail('path resolves to empty after normalization');
  const normalized = kept.join('/');
  const bytes = Buffer.byteLength(normalized);
  if (bytes > maxPathBytes) {
    throw new SluiceError('name_too_long', `Invalid staging path: it is ${bytes} bytes; the limit is ${maxPathBytes}`);
  }
  return normalized;
}
