import { send, sendJson, upload } from '../support/oxen-http.js';
import { isDir, normalize, type RepositoryModel, type Staged } from './repository-model.js';
import { hashOf, same, sortedUnique, Step, wsName, type Real } from './model-real.js';

/** A multipart upload into workspace `w`: full is refused before the body, then collisions, then the quota. */
export class Upload extends Step {
  constructor(
    readonly w: number,
    readonly dir: string,
    readonly parts: ReadonlyArray<{ name: string; content: string; gzip: boolean }>,
  ) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const paths = this.parts.map((p) => normalize(this.dir, p.name));
    // Within one request the last part at a path wins, and only its content becomes referenced
    // (a part overwritten in its own request is not staged, so stage_hashes answers it missing).
    const last = [...new Map(this.parts.map((p, i) => [paths[i]!, p.content]))];
    const full = m.full(this.w);
    const collides = paths.some((p) => m.conflict(this.w, p, paths) !== null);
    const want = full ? 413 : collides ? 409 : m.overQuota(this.w, m.staging(this.w, last)) ? 413 : 200;
    const reply = await upload(
      r.base,
      `${r.ws[this.w]}/files/${this.dir}`,
      this.parts.map((p) => ({ filename: p.name, content: p.content, gzip: p.gzip })),
    );
    same(reply.status, want, 'upload status', reply);
    if (want === 409) return same(reply.json().error?.type, 'path_conflict', 'upload refusal', reply);
    if (want === 413) return same(reply.json().error?.type, 'quota_exceeded', 'upload refusal', reply);
    same(sortedUnique(reply.json().paths), sortedUnique(paths), 'upload paths', reply);
    m.stage(this.w, last);
  }
  toString(): string {
    return (
      `upload(${wsName(this.w)}, ${JSON.stringify(this.dir)}, ` +
      `${this.parts.map((p) => `${p.name}=${p.content}${p.gzip ? '.gz' : ''}`).join(' ')})`
    );
  }
}

export class StageHashes extends Step {
  constructor(
    readonly w: number,
    readonly files: ReadonlyArray<{ path: string; content: string }>,
  ) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const known = this.files.filter((f) => m.referenced.has(f.content)).map((f) => ({ ...f, path: normalize(f.path) }));
    const missing = this.files.filter((f) => !m.referenced.has(f.content)).map((f) => normalize(f.path));
    const knownPaths = known.map((k) => k.path);
    const staging = known.map((f) => [f.path, f.content] as const);
    const collides = known.some((f) => m.conflict(this.w, f.path, knownPaths) !== null);
    const want = collides ? 409 : m.overQuota(this.w, m.staging(this.w, staging)) ? 413 : 200;
    const body = { files: this.files.map((f) => ({ path: f.path, hash: hashOf(f.content) })) };
    const reply = await sendJson(r.base, 'POST', `${r.ws[this.w]}/stage_hashes`, body);
    same(reply.status, want, 'stage_hashes status', reply);
    if (want !== 200) return;
    same(sortedUnique(reply.json().paths), sortedUnique(knownPaths), 'stage_hashes paths', reply);
    same(sortedUnique(reply.json().missing), sortedUnique(missing), 'stage_hashes missing', reply);
    m.stage(this.w, staging);
  }
  toString(): string {
    return `stage_hashes(${wsName(this.w)}, ${this.files.map((f) => `${f.path}=${f.content}`).join(' ')})`;
  }
}

/** Staged removals: each committed file under a path; the whole request refused past the quota. */
export class Remove extends Step {
  constructor(
    readonly w: number,
    readonly paths: readonly string[],
  ) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const base = m.base(this.w);
    const failed = this.paths.filter((p) => !base.has(normalize(p)) && !isDir(base, normalize(p)));
    const next = new Map(m.ws(this.w).staged);
    for (const raw of this.paths) {
      const p = normalize(raw);
      for (const f of base.keys()) if (f === p || f.startsWith(`${p}/`)) next.set(f, { kind: 'remove' });
    }
    const over = m.overQuota(this.w, next);
    const reply = await sendJson(r.base, 'DELETE', `${r.ws[this.w]}/files`, this.paths);
    same(reply.status, over ? 413 : failed.length === 0 ? 200 : 206, 'remove status', reply);
    if (over) return;
    if (failed.length > 0) same(reply.json().paths, failed, 'remove failed paths', reply);
    m.ws(this.w).staged = next;
  }
  toString(): string {
    return `remove(${wsName(this.w)}, ${this.paths.join(' ')})`;
  }
}

export class Move extends Step {
  constructor(
    readonly w: number,
    readonly from: string,
    readonly to: string,
  ) {
    super();
  }
  /** Upstream's checks in its order (docs/architecture.md#the-stage), then sluice's collision rule and the quota. */
  expected(m: RepositoryModel): { status: number; next?: Map<string, Staged> } {
    const [src, dst] = [normalize(this.from), normalize(this.to)];
    const [base, staged] = [m.base(this.w), m.ws(this.w).staged];
    if (src === dst) return { status: 400 };
    if (base.has(dst) || isDir(base, dst)) return { status: 400 };
    if (dst.split('/').some((_, i, all) => base.has(all.slice(0, i).join('/')))) return { status: 409 };
    if (isDir(base, src)) return { status: 400 };
    const at = staged.get(src);
    const content = at?.kind === 'add' ? at.content : base.get(src);
    if (content === undefined) return { status: 404 };
    if (staged.has(dst)) return { status: 409 };
    if (m.conflict(this.w, dst) !== null) return { status: 409 };
    const next = new Map(staged);
    next.set(dst, { kind: 'add', content });
    if (base.has(src)) next.set(src, { kind: 'remove' });
    else next.delete(src);
    return m.overQuota(this.w, next) ? { status: 413 } : { status: 200, next };
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const want = this.expected(m);
    const reply = await sendJson(r.base, 'PATCH', `${r.ws[this.w]}/files/${this.from}`, { new_path: this.to });
    same(reply.status, want.status, 'move status', reply);
    if (want.next !== undefined) m.ws(this.w).staged = want.next;
  }
  toString(): string {
    return `move(${wsName(this.w)}, ${this.from} -> ${this.to})`;
  }
}

export class Unstage extends Step {
  constructor(
    readonly w: number,
    readonly path: string,
  ) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const staged = m.ws(this.w).staged;
    const reply = await send(r.base, 'DELETE', `${r.ws[this.w]}/changes/${this.path}`);
    same(reply.status, staged.has(this.path) ? 200 : 404, 'unstage status', reply);
    staged.delete(this.path);
  }
  toString(): string {
    return `unstage(${wsName(this.w)}, ${this.path})`;
  }
}
