import { errorCodeOf, oxenHash, SluiceError, type Commit, type TreeEntry } from '@sluice/core';
import { objectKey, type BlobStore } from '@sluice/storage';
import { LruCache } from './lru-cache.js';

/** A change to a tree: the new entry at a path, or null to remove it. */
export type TreeChange = Omit<TreeEntry, 'name' | 'kind'> | null;
/** A change and the path it is at. */
export type TreeChangeAt = readonly [path: string, change: TreeChange];

const emptyNode = JSON.stringify({ entries: [] });

/** A commit that would put a file and a directory at one path: it is refused, never resolved by dropping one. */
function collision(dir: string, name: string): SluiceError {
  const path = dir === '' ? name : `${dir}/${name}`;
  return new SluiceError(
    'path_conflict',
    `the commit would put a file and a directory at ${path}; unstage one of them`,
    { fields: { path } },
  );
}

/**
 * The entry called `name` among a node's entries, by binary search: buildTree writes every node
 * sorted by name in UTF-16 order, and a root of a thousand directories is searched on every lookup.
 */
function entryNamed(entries: readonly TreeEntry[], name: string): TreeEntry | undefined {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const found = entries[middle]!;
    if (found.name < name) low = middle + 1;
    else if (found.name > name) high = middle;
    else return found;
  }
  return undefined;
}

function inNameOrder(entries: readonly TreeEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) if (!(entries[i - 1]!.name < entries[i]!.name)) return false;
  return true;
}

/**
 * How many tree entries the node cache holds (~250 bytes each in V8, so ~50 MiB). Bounded by
 * entries, not nodes: a node lists every child of its directory, and 20,000 nodes of a tree of
 * ten million files held millions of entries.
 */
const defaultCachedTreeEntries = 200_000;

export interface ObjectStoreOptions {
  /** Most tree entries the node cache holds (default defaultCachedTreeEntries). */
  cachedTreeEntries?: number;
}

/**
 * Commits and their trees as content-addressed JSON objects in the BlobStore. A directory node
 * lists its children with their hashes (Merkle style): a commit rewrites only the directories on
 * the paths it changes, and looking up one path reads one node per directory level, cached.
 */
export class ObjectStore {
  private readonly nodes: LruCache<string, readonly TreeEntry[]>;
  private readonly commits = new LruCache<string, Commit>(10_000);
  private emptyRoot: string | undefined;

  constructor(
    private readonly store: BlobStore,
    options: ObjectStoreOptions = {},
  ) {
    this.nodes = new LruCache(options.cachedTreeEntries ?? defaultCachedTreeEntries, (entries) => entries.length + 1);
  }

  /** Tree entries the node cache holds now. */
  get cachedTreeEntries(): number {
    return this.nodes.weight;
  }

  private async putJson(json: string): Promise<string> {
    const hash = await oxenHash(json);
    await this.store.put(objectKey(hash), Buffer.from(json));
    return hash;
  }

  async emptyTree(): Promise<string> {
    this.emptyRoot ??= await this.putJson(emptyNode);
    return this.emptyRoot;
  }

  async readNode(hash: string, options: { keep?: boolean } = {}): Promise<readonly TreeEntry[]> {
    const cached = this.nodes.get(hash);
    if (cached) return cached;
    const node = JSON.parse((await this.store.getBuffer(objectKey(hash))).toString('utf8')) as { entries: TreeEntry[] };
    if (options.keep !== false) this.nodes.set(hash, node.entries);
    return node.entries;
  }

  /** The entry at `path` in the tree rooted at `root`, or null. */
  async lookup(root: string, path: string): Promise<TreeEntry | null> {
    let entries = await this.readNode(root);
    const segments = path.split('/');
    for (let i = 0; i < segments.length; i++) {
      const entry = entryNamed(entries, segments[i]!);
      if (entry === undefined) return null;
      if (i === segments.length - 1) return entry;
      if (entry.kind !== 'dir') return null;
      entries = await this.readNode(entry.hash);
    }
    return null;
  }

  /**
   * What a file staged at `path` would meet in the tree rooted at `root`: the entry at the path,
   * or the file at one of its parent directories (`fileAbove`), which a lookup reports as null.
   */
  async probe(root: string, path: string): Promise<{ entry: TreeEntry | null; fileAbove: string | null }> {
    let entries = await this.readNode(root);
    const segments = path.split('/');
    for (let i = 0; i < segments.length; i++) {
      const entry = entryNamed(entries, segments[i]!);
      if (entry === undefined) return { entry: null, fileAbove: null };
      if (i === segments.length - 1) return { entry, fileAbove: null };
      if (entry.kind !== 'dir') return { entry: null, fileAbove: segments.slice(0, i + 1).join('/') };
      entries = await this.readNode(entry.hash);
    }
    return { entry: null, fileAbove: null };
  }

  /**
   * Builds the tree of `base` with `changes` applied, reading the changes as a stream sorted by
   * path. All paths under one directory are then contiguous, so directories are finished
   * bottom-up as the stream leaves them: memory holds only the open directories on one path,
   * never one object per file, and only directories that changed are read and written.
   */
  async buildTree(base: string, changes: AsyncIterable<TreeChangeAt>): Promise<string> {
    return this.buildTreeInBatches(
      base,
      (async function* () {
        for await (const change of changes) yield [change];
      })(),
    );
  }

  /** buildTree over changes handed on in batches, as a commit reads them (one await a batch). */
  async buildTreeInBatches(base: string, batches: AsyncIterable<readonly TreeChangeAt[]>): Promise<string> {
    interface OpenDir {
      path: string;
      /** What the base tree holds at this path (a directory, a file, or nothing). */
      base: TreeEntry | null;
      /** The base directory's entries, read once when first needed. */
      baseEntries?: readonly TreeEntry[];
      /** Changes to direct children: an entry to set, or null to remove. */
      children: Map<string, TreeEntry | null>;
      /** Child directories this build emptied: a file may take their place. */
      emptied: Set<string>;
    }
    const rootEntry: TreeEntry = { name: '', kind: 'dir', hash: base, size: 0 };
    const stack: OpenDir[] = [{ path: '', base: rootEntry, children: new Map(), emptied: new Set() }];
    const pending = new Set<Promise<void>>();
    let failure: unknown;
    let root: string | undefined;
    // each directory's base is found in its parent's base node, never by a walk from the root
    const baseEntriesOf = async (dir: OpenDir): Promise<readonly TreeEntry[]> =>
      (dir.baseEntries ??= dir.base?.kind === 'dir' ? await this.readNode(dir.base.hash) : []);

    const finish = async (dir: OpenDir): Promise<void> => {
      const baseNode = dir.base;
      const entries = new Map<string, TreeEntry>();
      for (const entry of await baseEntriesOf(dir)) entries.set(entry.name, entry);
      for (const [name, change] of dir.children) {
        const was = entries.get(name);
        // A file never silently replaces a directory that still holds files (see planStage).
        // A removal is of a file: it never takes a directory with it.
        if (was?.kind === 'dir' && (change === null || change.kind === 'file') && !dir.emptied.has(name))
          throw collision(dir.path, name);
        if (change === null) entries.delete(name);
        else entries.set(name, change);
      }
      const parent = stack[stack.length - 1];
      const name = dir.path.slice(dir.path.lastIndexOf('/') + 1);
      if (entries.size === 0 && parent !== undefined) {
        // an emptied directory goes, unless a file now takes its name
        if (!parent.children.has(name)) parent.children.set(name, null);
        parent.emptied.add(name);
        return;
      }
      // Nor a directory a file: one staged at this directory's path, or a base file not removed.
      const replaced = parent?.children.get(name);
      if (replaced !== undefined && replaced !== null) throw collision(parent!.path, name);
      if (parent !== undefined && replaced === undefined && baseNode?.kind === 'file')
        throw collision(parent.path, name);
      const sorted = [...entries.values()];
      // a new directory's files arrive in name order: sorted already, most often
      if (!inNameOrder(sorted)) sorted.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const json = JSON.stringify({ entries: sorted });
      // not cached: a commit of ten million files writes a hundred thousand nodes nobody reads next
      const hash = await oxenHash(json);
      // Content-addressed: the parent can name this node before its write completes.
      while (pending.size >= 32) await Promise.race(pending);
      const write = this.store
        .put(objectKey(hash), Buffer.from(json))
        .catch((error: unknown) => void (failure ??= error));
      pending.add(write);
      void write.finally(() => pending.delete(write));
      if (parent === undefined) root = hash;
      else
        parent.children.set(name, {
          name,
          kind: 'dir',
          hash,
          size: sorted.reduce((sum, entry) => sum + entry.size, 0),
        });
    };

    for await (const batch of batches)
      for (const [path, change] of batch) {
        const slash = path.lastIndexOf('/');
        const dir = slash === -1 ? '' : path.slice(0, slash);
        let top = stack[stack.length - 1]!;
        while (top.path !== '' && dir !== top.path && !dir.startsWith(top.path + '/')) {
          await finish(stack.pop()!);
          top = stack[stack.length - 1]!;
        }
        if (dir !== top.path) {
          const rest = (top.path === '' ? dir : dir.slice(top.path.length + 1)).split('/');
          for (const segment of rest) {
            const parent = stack[stack.length - 1]!;
            const base = entryNamed(await baseEntriesOf(parent), segment) ?? null;
            const path = parent.path === '' ? segment : `${parent.path}/${segment}`;
            stack.push({ path, base, children: new Map(), emptied: new Set() });
          }
        }
        const name = path.slice(slash + 1);
        stack[stack.length - 1]!.children.set(name, change === null ? null : { name, kind: 'file', ...change });
      }
    while (stack.length > 0) await finish(stack.pop()!);
    await Promise.all(pending);
    if (failure !== undefined) throw failure;
    return root!;
  }

  async putCommit(fields: Omit<Commit, 'id'>): Promise<Commit> {
    const id = await oxenHash(
      JSON.stringify([
        'commit',
        fields.parent_ids,
        fields.message,
        fields.author,
        fields.email,
        fields.timestamp,
        fields.root,
      ]),
    );
    const commit: Commit = { id, ...fields };
    await this.store.put(objectKey(id), Buffer.from(JSON.stringify(commit)));
    this.commits.set(id, commit);
    return commit;
  }

  async getCommit(id: string): Promise<Commit> {
    const cached = this.commits.get(id);
    if (cached) return cached;
    if (!/^[0-9a-f]{1,32}$/.test(id)) throw new SluiceError('resource_not_found', `Commit not found: ${id}`);
    const bytes = await this.store.getBuffer(objectKey(id)).catch((error: unknown) => {
      if (errorCodeOf(error) === 'resource_not_found')
        throw new SluiceError('resource_not_found', `Commit not found: ${id}`);
      throw error;
    });
    const commit = JSON.parse(bytes.toString('utf8')) as Commit;
    this.commits.set(id, commit);
    return commit;
  }
}
