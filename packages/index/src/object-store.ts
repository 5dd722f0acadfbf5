import { createLimiter, errorCodeOf, oxenHash, SluiceError, type Commit, type TreeEntry } from '@sluice/core';
import { objectKey, type BlobStore } from '@sluice/storage';
import { LruCache } from './lru-cache.js';

/** A change to a tree: the new entry at a path, or null to remove it. */
export type TreeChange = Omit<TreeEntry, 'name' | 'kind'> | null;

const emptyNode = JSON.stringify({ entries: [] });

/**
 * Commits and their trees as content-addressed JSON objects in the BlobStore. A directory node
 * lists its children with their hashes (Merkle style): a commit rewrites only the directories on
 * the paths it changes, and looking up one path reads one node per directory level, cached.
 */
export class ObjectStore {
  private readonly nodes = new LruCache<string, readonly TreeEntry[]>(20_000);
  private readonly commits = new LruCache<string, Commit>(10_000);
  private emptyRoot: string | undefined;
  /** Store writes of one tree in flight at once; the recursion itself fans out freely. */
  private readonly writes = createLimiter(32);

  constructor(private readonly store: BlobStore) {}

  private async putJson(json: string): Promise<string> {
    const hash = await oxenHash(json);
    await this.store.put(objectKey(hash), Buffer.from(json));
    return hash;
  }

  async emptyTree(): Promise<string> {
    this.emptyRoot ??= await this.putJson(emptyNode);
    return this.emptyRoot;
  }

  async readNode(hash: string): Promise<readonly TreeEntry[]> {
    const cached = this.nodes.get(hash);
    if (cached) return cached;
    const node = JSON.parse((await this.store.getBuffer(objectKey(hash))).toString('utf8')) as { entries: TreeEntry[] };
    this.nodes.set(hash, node.entries);
    return node.entries;
  }

  /** The entry at `path` in the tree rooted at `root`, or null. */
  async lookup(root: string, path: string): Promise<TreeEntry | null> {
    let entries = await this.readNode(root);
    const segments = path.split('/');
    for (let i = 0; i < segments.length; i++) {
      const entry = entries.find((e) => e.name === segments[i]);
      if (entry === undefined) return null;
      if (i === segments.length - 1) return entry;
      if (entry.kind !== 'dir') return null;
      entries = await this.readNode(entry.hash);
    }
    return null;
  }

  /**
   * Applies changes (path → entry, or null to remove) to the tree at `root` and returns the new
   * root. Only directories on changed paths are read and written; the rest is shared.
   */
  async writeTree(root: string, changes: ReadonlyMap<string, TreeChange>): Promise<string> {
    const node = await this.rewrite(root, '', changes);
    return node?.hash ?? (await this.emptyTree());
  }

  private async rewrite(nodeHash: string | null, dir: string, changes: ReadonlyMap<string, TreeChange>): Promise<{ hash: string; size: number } | null> {
    const entries = new Map<string, TreeEntry>();
    for (const entry of nodeHash === null ? [] : await this.readNode(nodeHash)) entries.set(entry.name, entry);
    const childChanges = new Map<string, Map<string, TreeChange>>();
    for (const [path, change] of changes) {
      const slash = path.indexOf('/');
      if (slash === -1) {
        if (change === null) entries.delete(path);
        else entries.set(path, { name: path, kind: 'file', ...change });
      } else {
        const child = path.slice(0, slash);
        let sub = childChanges.get(child);
        if (!sub) childChanges.set(child, (sub = new Map()));
        sub.set(path.slice(slash + 1), change);
      }
    }
    const rewritten = await Promise.all([...childChanges].map(async ([child, sub]) => {
      const existing = entries.get(child);
      const base = existing?.kind === 'dir' ? existing.hash : null; // a directory may replace a file
      return [child, await this.rewrite(base, dir === '' ? child : `${dir}/${child}`, sub)] as const;
    }));
    for (const [child, node] of rewritten) {
      if (node === null) entries.delete(child);
      else entries.set(child, { name: child, kind: 'dir', hash: node.hash, size: node.size });
    }
    if (entries.size === 0 && dir !== '') return null;
    const sorted = [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const hash = await this.writes(() => this.putJson(JSON.stringify({ entries: sorted })));
    this.nodes.set(hash, sorted);
    return { hash, size: sorted.reduce((sum, entry) => sum + entry.size, 0) };
  }

  async putCommit(fields: Omit<Commit, 'id'>): Promise<Commit> {
    const id = await oxenHash(JSON.stringify(['commit', fields.parent_ids, fields.message, fields.author, fields.email, fields.timestamp, fields.root]));
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
      if (errorCodeOf(error) === 'resource_not_found') throw new SluiceError('resource_not_found', `Commit not found: ${id}`);
      throw error;
    });
    const commit = JSON.parse(bytes.toString('utf8')) as Commit;
    this.commits.set(id, commit);
    return commit;
  }
}
