import { send, sendJson } from '../support/oxen-http.js';
import { isDir, normalize, type RepositoryModel } from './repository-model.js';
import { checkTree, labelOf, same, Step, wsName, type Real } from './model-real.js';

/**
 * Commits workspace `w` onto main: 422 with nothing staged, 409 behind when main changed a staged
 * path since the workspace's base (RepositoryModel.conflicts), else main's new tree is the model's.
 */
export class Commit extends Step {
  constructor(readonly w: number) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const conflicts = m.conflicts(this.w);
    const want = m.ws(this.w).staged.size === 0 ? 422 : conflicts.length > 0 ? 409 : 200;
    const reply = await sendJson(r.base, 'POST', `${r.ws[this.w]}/merge/main`, {
      message: 'm',
      author: 'a',
      email: 'a@x',
    });
    same(reply.status, want, 'commit status', reply);
    if (want === 409) {
      const listed = (reply.json().conflicts as Array<{ path: string }>).map((c) => c.path).sort();
      return same(listed, conflicts, 'commit conflicts', reply);
    }
    if (want !== 200) return;
    m.commit(this.w, reply.json().commit.id as string);
    await checkTree(r, 'main', m.head);
  }
  toString(): string {
    return `commit(${wsName(this.w)})`;
  }
}

export class ReadFile extends Step {
  constructor(
    readonly rev: number,
    readonly path: string,
  ) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const { id, tree } = m.commits[this.rev % m.commits.length]!;
    const want = tree.get(normalize(this.path));
    const reply = await send(r.base, 'GET', `${r.repo}/file/${id}/${this.path}`);
    // a directory's path is 400 not_a_file
    const status = want !== undefined ? 200 : isDir(tree, normalize(this.path)) ? 400 : 404;
    same(reply.status, status, `file ${this.path}`, reply);
    if (want !== undefined) same(labelOf(reply.body), want, `bytes of ${this.path}`);
  }
  toString(): string {
    return `file(rev ${this.rev}, ${this.path})`;
  }
}

/**
 * A directory of a revision listed `pageSize` entries a page (all at once without one), every page
 * walked: the pages together hold each of the model's entries exactly once.
 */
export class ListDir extends Step {
  constructor(
    readonly rev: number,
    readonly dir: string,
    readonly pageSize?: number,
  ) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const { id, tree } = m.commits[this.rev % m.commits.length]!;
    const dir = normalize(this.dir);
    const want = tree.has(dir) ? null : m.listing(tree, dir);
    const entries: string[] = [];
    for (let page = 1, pages = 1; page <= pages; page++) {
      const query = this.pageSize === undefined ? '' : `?page=${page}&page_size=${this.pageSize}`;
      const reply = await send(r.base, 'GET', `${r.repo}/dir/${id}/${this.dir}${query}`);
      // a file's path is 400 "not a directory" (sluice's answer; upstream's error there is its lister's)
      same(reply.status, tree.has(dir) ? 400 : want === null ? 404 : 200, `dir ${this.dir} page ${page}`, reply);
      if (want === null) return;
      const body = reply.json() as {
        entries: Array<{ filename: string; is_dir: boolean }>;
        total_pages: number;
        total_entries: number;
      };
      same(body.total_entries, want.size, `entries in ${this.dir}`, reply);
      if (this.pageSize !== undefined) {
        same(body.entries.length <= this.pageSize, true, `page ${page} of ${this.dir} within its size`, reply);
        if (page === 1) pages = body.total_pages;
      }
      entries.push(...body.entries.map((e) => `${e.filename}${e.is_dir ? '/' : ''}`));
    }
    same(entries.sort(), [...want!].map(([n, d]) => `${n}${d ? '/' : ''}`).sort(), `listing of ${this.dir}`);
  }
  toString(): string {
    return `dir(rev ${this.rev}, ${this.dir}${this.pageSize === undefined ? '' : `, ${this.pageSize} a page`})`;
  }
}
