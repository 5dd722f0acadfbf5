import type { TreeEntry } from '@sluice/core';

/** One file that differs between two trees. */
export interface TreeDifference {
  path: string;
  status: 'added' | 'modified' | 'removed';
  /** The file in the base tree (null when added) and in the head tree (null when removed). */
  base: { hash: string; size: number } | null;
  head: { hash: string; size: number } | null;
}

/** What the walk reads nodes with (an ObjectStore). */
export interface NodeReader {
  readNode(hash: string): Promise<readonly TreeEntry[]>;
}

// The order nodes are stored in (ObjectStore.buildTree sorts children so): the merge walk relies on it.
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The files that differ between two trees, in path order (children by their stored order), as a
 * lazy stream: subtrees with the same hash are never opened, so the work follows the changes, not
 * the size of the trees, and a caller stops after a page. `after` (a path relative to the trees)
 * resumes a walk: everything at or under it, and before it, is skipped without being read.
 * `base` or `head` may be null (a directory that one side lacks); a file at the top compares as one.
 */
export async function* diffTrees(
  reader: NodeReader,
  base: TreeEntry | null,
  head: TreeEntry | null,
  prefix: string,
  after: string | null,
): AsyncGenerator<TreeDifference> {
  yield* diffEntry(reader, base, head, prefix, after === null || after === '' ? null : after.split('/'));
}

async function* diffEntry(
  reader: NodeReader,
  base: TreeEntry | null,
  head: TreeEntry | null,
  path: string,
  after: string[] | null,
): AsyncGenerator<TreeDifference> {
  if (base !== null && head !== null && base.kind === head.kind && base.hash === head.hash) return;
  const baseFile = base?.kind === 'file' ? base : null;
  const headFile = head?.kind === 'file' ? head : null;
  // a file is one entry: at the cursor it was already given
  if ((baseFile !== null || headFile !== null) && after === null) {
    const fact = (e: TreeEntry | null) => (e === null ? null : { hash: e.hash, size: e.size });
    if (baseFile !== null && headFile !== null)
      yield { path, status: 'modified', base: fact(baseFile), head: fact(headFile) };
    else if (baseFile !== null) yield { path, status: 'removed', base: fact(baseFile), head: null };
    else yield { path, status: 'added', base: null, head: fact(headFile) };
  }
  const baseDir = base?.kind === 'dir' ? base : null;
  const headDir = head?.kind === 'dir' ? head : null;
  if (baseDir === null && headDir === null) return;
  // A file and a directory at one path: the file sorts first, then what the directory holds.
  // The cursor names a path inside the directory, or the path itself (then everything under it was given).
  if (after !== null && after.length === 0) return;
  const [baseChildren, headChildren] = await Promise.all([
    baseDir === null ? [] : reader.readNode(baseDir.hash),
    headDir === null ? [] : reader.readNode(headDir.hash),
  ]);
  let cursor = after;
  let i = 0;
  let j = 0;
  while (i < baseChildren.length || j < headChildren.length) {
    const b = baseChildren[i];
    const h = headChildren[j];
    const order = b === undefined ? 1 : h === undefined ? -1 : compare(b.name, h.name);
    const name = order <= 0 ? b!.name : h!.name;
    const pair = { base: order <= 0 ? b! : null, head: order >= 0 ? h! : null };
    if (order <= 0) i++;
    if (order >= 0) j++;
    let below: string[] | null = null;
    if (cursor !== null) {
      const side = compare(name, cursor[0]!);
      if (side < 0) continue;
      if (side === 0) below = cursor.slice(1);
      cursor = null;
    }
    yield* diffEntry(reader, pair.base, pair.head, path === '' ? name : `${path}/${name}`, below);
  }
}
