/**
 * The in-memory model of one repository and one named workspace on `main` that the stateful
 * test (repository-model.test.ts) holds sluice to: the committed trees by revision, the staged
 * adds and removals, and which content the repository references (what `stage_hashes` may stage).
 *
 * Where this model and upstream Oxen 0.54 differ, upstream wins, except for the rules sluice
 * documents as deliberate differences (docs/api.md, "Deliberate differences from upstream" and "A file
 * and a directory never share a path"): upstream has no file/directory rule (its stage keeps one side
 * and its commit drops the other), so for collisions the model follows sluice's documented rule.
 */
export type Tree = Map<string, string>;
export type Staged = { kind: 'add'; content: string } | { kind: 'remove' };

export interface Expected {
  status: number;
}

/** Path normalization (docs/architecture.md#paths): `.` and empty segments dropped; no `..` or absolute paths here. */
export function normalize(...pieces: string[]): string {
  return pieces
    .join('/')
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

const under = (path: string, dir: string) => path.startsWith(`${dir}/`);
const parents = (path: string) =>
  path
    .split('/')
    .slice(0, -1)
    .map((_, i, all) => all.slice(0, i + 1).join('/'));

export class RepositoryModel {
  /** Commit id -> tree, in order; the last is main's head and the workspace's base. */
  commits: Array<{ id: string; tree: Tree }> = [];
  staged = new Map<string, Staged>();
  /** Content this repository references (committed or staged once). */
  referenced = new Set<string>();
  /** Chunks sent for content not yet completed: whether the chunk sent last holds the right bytes. */
  chunks = new Map<string, boolean>();

  get base(): Tree {
    return this.commits[this.commits.length - 1]!.tree;
  }

  isCommittedDir(path: string, tree = this.base): boolean {
    for (const p of tree.keys()) if (under(p, path)) return true;
    return false;
  }

  /** Why staging a file at `path` would put a file and a directory at one path, or null. */
  conflict(path: string, others: readonly string[] = []): string | null {
    if (this.isCommittedDir(path)) return `${path} is a committed directory`;
    for (const p of parents(path)) {
      if (this.base.has(p)) return `${p} is a committed file`;
      if (this.staged.get(p)?.kind === 'add') return `${p} is a staged file`;
      if (others.includes(p)) return `${p} is a file of the same request`;
    }
    for (const [p, s] of this.staged) if (s.kind === 'add' && under(p, path)) return `files are staged under ${path}`;
    return null;
  }

  /**
   * Stages content at a path as an upload or stage_hashes does: content equal to the base
   * commit's at that path is not staged and drops any staged change there (a sluice difference
   * from upstream, documented).
   */
  stage(path: string, content: string): void {
    this.referenced.add(content);
    if (this.base.get(path) === content) this.staged.delete(path);
    else this.staged.set(path, { kind: 'add', content });
  }

  /** The stage as `changes` lists it: path -> status and content. */
  changes(): Map<string, { status: 'added' | 'modified' | 'removed'; content: string }> {
    const out = new Map<string, { status: 'added' | 'modified' | 'removed'; content: string }>();
    for (const [p, s] of this.staged) {
      if (s.kind === 'remove') out.set(p, { status: 'removed', content: this.base.get(p)! });
      else out.set(p, { status: this.base.has(p) ? 'modified' : 'added', content: s.content });
    }
    return out;
  }

  commit(id: string): void {
    const tree = new Map(this.base);
    for (const [p, s] of this.staged) {
      if (s.kind === 'remove') tree.delete(p);
      else tree.set(p, s.content);
    }
    this.commits.push({ id, tree });
    this.staged.clear();
  }

  /** The entries of a directory of a tree: name -> is_dir; null when it is not a directory. */
  listing(tree: Tree, dir: string): Map<string, boolean> | null {
    const out = new Map<string, boolean>();
    for (const p of tree.keys()) {
      if (dir !== '' && !under(p, dir)) continue;
      const rest = (dir === '' ? p : p.slice(dir.length + 1)).split('/');
      out.set(rest[0]!, rest.length > 1 || out.get(rest[0]!) === true);
    }
    return out.size === 0 && dir !== '' ? null : out;
  }
}
