import type { TreeEntry } from '@sluice/core';
import type { ObjectStore } from './object-store.js';

/** A file met by walkFiles: its path below the walk's root, and its tree entry. */
export interface WalkedFile {
  path: string;
  entry: TreeEntry;
}

/** Whether a name holds a UTF-16 unit from U+D800 up, where UTF-16 order and UTF-8 byte order differ. */
const beyondSurrogates = (name: string): boolean => /[\uD800-\uFFFF]/.test(name);

/** Two names compared by their UTF-8 bytes (code point order), as an archive's order is documented. */
function compareNames(a: string, b: string): number {
  if (beyondSurrogates(a) || beyondSurrogates(b)) {
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Paths compared segment by segment, each in byte order: the order of a depth-first walk whose
 * children are sorted by name (so `a/z` comes before `a.txt`, and a directory's files right after
 * its own path).
 */
export function comparePaths(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const order = compareNames(a[i]!, b[i]!);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

/** A node's children in byte order: nodes are written sorted by UTF-16 order, which agrees but for rare names. */
function inByteOrder(children: readonly TreeEntry[]): readonly TreeEntry[] {
  for (let i = 1; i < children.length; i++) {
    const unordered = compareNames(children[i - 1]!.name, children[i]!.name) > 0;
    if (unordered) return [...children].sort((x, y) => compareNames(x.name, y.name));
  }
  return children;
}

/** The first index whose name is not before `name` (binary search over byte-ordered children). */
function firstNotBefore(children: readonly TreeEntry[], name: string): number {
  let low = 0;
  let high = children.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareNames(children[middle]!.name, name) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Every file of the tree rooted at `root`, depth first, each directory's children by name in byte
 * order, read lazily: one directory node per level is held at a time (through the node cache),
 * never a listing of the whole tree. With `after` (path segments below the root), only files
 * whose path comes after it in that order: the subtrees wholly before it are skipped without
 * reading them.
 */
export async function* walkFiles(
  objects: ObjectStore,
  root: string,
  after: readonly string[] = [],
): AsyncGenerator<WalkedFile> {
  yield* walkNode(objects, root, '', after.length === 0 ? null : after);
}

async function* walkNode(
  objects: ObjectStore,
  hash: string,
  prefix: string,
  after: readonly string[] | null,
): AsyncGenerator<WalkedFile> {
  // A walk reads every node under its root once: kept in the cache, a tree of a million files
  // would fill it with nodes nobody asks for again and evict the ones listings and lookups use.
  const children = inByteOrder(await objects.readNode(hash, { keep: false }));
  const start = after === null ? 0 : firstNotBefore(children, after[0]!);
  for (let i = start; i < children.length; i++) {
    const child = children[i]!;
    const path = prefix + child.name;
    // the child `after` starts with: `after` itself or a path above it (skipped: not after it), or
    // the directory to resume in (all of it when `after` names the directory itself)
    const resumeHere = after !== null && i === start && child.name === after[0];
    if (child.kind === 'dir') {
      yield* walkNode(objects, child.hash, `${path}/`, resumeHere && after.length > 1 ? after.slice(1) : null);
    } else if (!resumeHere) {
      yield { path, entry: child };
    }
  }
}
