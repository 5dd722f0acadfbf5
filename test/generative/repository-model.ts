/**
 * The in-memory model of one repository and two named workspaces on `main` that the stateful
 * test (repository-model.test.ts) holds sluice to: main's commits by revision, each workspace's
 * base commit and staged adds and removals, which content the repository references (what
 * `stage_hashes` may stage), chunks and resumable uploads in flight, and the quotas of files and bytes.
 *
 * Where this model and upstream Oxen 0.54 differ, upstream wins, except for the rules sluice
 * documents as deliberate differences (docs/api.md, "Deliberate differences from upstream" and "A file
 * and a directory never share a path"): upstream has no file/directory rule (its stage keeps one side
 * and its commit drops the other), so for collisions the model follows sluice's documented rule.
 * A commit onto a branch that moved follows upstream's `list_conflicts`: only a staged path that is a
 * file both at the workspace's base and at the branch head, with different content, is a conflict
 * (both sides adding a path is not: the workspace's file wins); sluice adds its collision rule (the
 * branch put a directory at a staged path, or a file above one).
 */
export type Tree = Map<string, string>;
export type Staged = { kind: 'add'; content: string } | { kind: 'remove' };

/** Path normalization (docs/architecture.md#paths): `.` and empty segments dropped; no `..` or absolute paths here. */
export function normalize(...pieces: string[]): string {
  return pieces
    .join('/')
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

export const under = (path: string, dir: string) => path.startsWith(`${dir}/`);
export const parents = (path: string) =>
  path
    .split('/')
    .slice(0, -1)
    .map((_, i, all) => all.slice(0, i + 1).join('/'));

export function isDir(tree: Tree, path: string): boolean {
  for (const p of tree.keys()) if (under(p, path)) return true;
  return false;
}

/** One named workspace: the commit it is based on and its stage. */
export class WorkspaceModel {
  staged = new Map<string, Staged>();
  constructor(public baseId: string) {}
}

/** A resumable upload the model began: its parts stored so far, and whether it ended. */
export interface ResumableModel {
  id: string;
  content: string;
  workspace: number;
  path: string;
  numParts: number;
  stored: Set<number>;
  wrong: Set<number>;
  ended: boolean;
}

export class RepositoryModel {
  /** Main's commits in order, the last its head. */
  commits: Array<{ id: string; tree: Tree }> = [];
  workspaces: WorkspaceModel[] = [];
  /** Content this repository references (committed or staged once). */
  referenced = new Set<string>();
  /** Chunks sent for content not yet completed: whether the chunk sent last holds the right bytes. */
  chunks = new Map<string, boolean>();
  /** Resumable uploads begun, by the slot the commands name them with. */
  resumable = new Map<number, ResumableModel>();

  /** `sizeOf` gives a content's bytes (inflated), what the byte quota counts; a removal counts none. */
  constructor(
    readonly quota: { files: number; bytes: number },
    readonly sizeOf: (content: string) => number,
  ) {}

  /** A stage's usage as the quotas count it: every entry a file, each added file its bytes. */
  usage(staged: ReadonlyMap<string, Staged>): { files: number; bytes: number } {
    let bytes = 0;
    for (const s of staged.values()) if (s.kind === 'add') bytes += this.sizeOf(s.content);
    return { files: staged.size, bytes };
  }

  /** Whether workspace `w` is at a quota already (a multipart upload is then refused before its body). */
  full(w: number): boolean {
    const { files, bytes } = this.usage(this.ws(w).staged);
    return (this.quota.files > 0 && files >= this.quota.files) || (this.quota.bytes > 0 && bytes >= this.quota.bytes);
  }

  /** Whether one more file of `size` bytes at `path` passes a quota: a resumable upload's check when it begins. */
  overQuotaAt(w: number, path: string, size: number): boolean {
    const staged = this.ws(w).staged;
    const now = this.usage(staged);
    const at = staged.get(path);
    const files = at === undefined ? 1 : 0;
    const bytes = size - (at?.kind === 'add' ? this.sizeOf(at.content) : 0);
    return (
      (this.quota.files > 0 && files > 0 && now.files + files > this.quota.files) ||
      (this.quota.bytes > 0 && bytes > 0 && now.bytes + bytes > this.quota.bytes)
    );
  }

  get head(): Tree {
    return this.commits[this.commits.length - 1]!.tree;
  }

  treeOf(id: string): Tree {
    return this.commits.find((c) => c.id === id)!.tree;
  }

  ws(w: number): WorkspaceModel {
    return this.workspaces[w]!;
  }

  base(w: number): Tree {
    return this.treeOf(this.ws(w).baseId);
  }

  /** Why staging a file at `path` in workspace `w` would put a file and a directory at one path, or null. */
  conflict(w: number, path: string, others: readonly string[] = []): string | null {
    const base = this.base(w);
    const staged = this.ws(w).staged;
    if (isDir(base, path)) return `${path} is a committed directory`;
    for (const p of parents(path)) {
      if (base.has(p)) return `${p} is a committed file`;
      if (staged.get(p)?.kind === 'add') return `${p} is a staged file`;
      if (others.includes(p)) return `${p} is a file of the same request`;
    }
    for (const [p, s] of staged) if (s.kind === 'add' && under(p, path)) return `files are staged under ${path}`;
    return null;
  }

  /**
   * The stage after staging content at paths as an upload or stage_hashes does: content equal to the
   * base commit's at a path is not staged and drops any staged change there (a sluice difference
   * from upstream, documented).
   */
  staging(w: number, files: ReadonlyArray<readonly [string, string]>): Map<string, Staged> {
    const base = this.base(w);
    const next = new Map(this.ws(w).staged);
    for (const [path, content] of files) {
      if (base.get(path) === content) next.delete(path);
      else next.set(path, { kind: 'add', content });
    }
    return next;
  }

  /** Whether replacing workspace `w`'s stage by `next` passes a quota (each refuses only what grows its count). */
  overQuota(w: number, next: Map<string, Staged>): boolean {
    const [now, then] = [this.usage(this.ws(w).staged), this.usage(next)];
    return (
      (this.quota.files > 0 && then.files > now.files && then.files > this.quota.files) ||
      (this.quota.bytes > 0 && then.bytes > now.bytes && then.bytes > this.quota.bytes)
    );
  }

  stage(w: number, files: ReadonlyArray<readonly [string, string]>): void {
    for (const [, content] of files) this.referenced.add(content);
    this.ws(w).staged = this.staging(w, files);
  }

  /** The stage as `changes` lists it: path -> status and content. */
  changes(w: number): Map<string, { status: 'added' | 'modified' | 'removed'; content: string }> {
    const base = this.base(w);
    const out = new Map<string, { status: 'added' | 'modified' | 'removed'; content: string }>();
    for (const [p, s] of this.ws(w).staged) {
      if (s.kind === 'remove') out.set(p, { status: 'removed', content: base.get(p)! });
      else out.set(p, { status: base.has(p) ? 'modified' : 'added', content: s.content });
    }
    return out;
  }

  /** Staged paths of `w` that main changed too since its base (the rule in this file's comment). */
  conflicts(w: number): string[] {
    const [base, head] = [this.base(w), this.head];
    if (this.ws(w).baseId === this.commits[this.commits.length - 1]!.id) return [];
    const out: string[] = [];
    for (const p of this.ws(w).staged.keys()) {
      const changedBoth = head.has(p) && base.has(p) && head.get(p) !== base.get(p);
      const fileAbove = parents(p).some((q) => head.has(q));
      if (changedBoth || fileAbove || (isDir(head, p) && !isDir(base, p))) out.push(p);
    }
    return out.sort();
  }

  /** Commits workspace `w` onto main's head: its stage applied to the head's tree. */
  commit(w: number, id: string): void {
    const tree = new Map(this.head);
    for (const [p, s] of this.ws(w).staged) {
      if (s.kind === 'remove') tree.delete(p);
      else tree.set(p, s.content);
    }
    this.commits.push({ id, tree });
    this.ws(w).staged.clear();
    this.ws(w).baseId = id;
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
