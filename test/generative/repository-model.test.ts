import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { send, sendJson, stagedFiles, upload, type Reply } from '../support/oxen-http.js';
import { startSluice, type SluiceProcess } from '../support/sluice-process.js';
import { testEnv } from '../support/test-env.js';
import { fuzzBudget } from './fuzz-budget.js';
import { normalize, RepositoryModel } from './repository-model.js';
import { OneAtATime } from './one-at-a-time.js';

const budget = fuzzBudget(40);
const shrinkMs = budget.extended ? 10 * 60_000 : 60_000;

/** Small alphabets, so that paths collide, are spelled differently and contents repeat. */
const names = ['a', 'b', 'a/b', 'x', 'x/y', 'b/a', './a', 'a//b'] as const;
const dirs = ['', 'a', './a', 'b/'] as const;
const contents = ['one', 'two', 'three'] as const;
const initialFiles = [
  { path: 'a/b', contents: 'one' },
  { path: 'x', contents: 'two' },
];
const hashes = new Map<string, string>();

interface Real {
  base: string;
  repo: string;
  ws: string;
}

class Mismatch extends Error {}
function same(actual: unknown, expected: unknown, what: string, reply?: Reply): void {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
  if (a !== e)
    throw new Mismatch(
      `${what}: server ${a}, model ${e}${reply ? `\n  answer: ${reply.body.toString().slice(0, 400)}` : ''}`,
    );
}
const sortedUnique = (xs: readonly string[]) => [...new Set(xs)].sort();

/** After every step: the workspace's staged list (status and hash per path) equals the model's. */
async function checkStage(m: RepositoryModel, r: Real): Promise<void> {
  const server = [...(await stagedFiles(r.base, r.ws))].map(([p, e]) => `${p} ${e.status} ${e.hash}`).sort();
  const model = [...m.changes()].map(([p, e]) => `${p} ${e.status} ${hashes.get(e.content)}`).sort();
  same(server, model, 'staged list');
}

/** Every file of a revision, found by walking `dir` listings, with its bytes read through `file`. */
async function checkTree(m: RepositoryModel, r: Real, rev: string, tree: Map<string, string>): Promise<void> {
  const found = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    const reply = await send(r.base, 'GET', `${r.repo}/dir/${rev}/${dir}?page_size=100`);
    same(reply.status, 200, `dir ${rev}/${dir}`, reply);
    for (const e of reply.json().entries as Array<{ filename: string; is_dir: boolean }>) {
      const path = dir === '' ? e.filename : `${dir}/${e.filename}`;
      if (e.is_dir) await walk(path);
      else found.set(path, (await send(r.base, 'GET', `${r.repo}/file/${rev}/${path}`)).body.toString());
    }
  };
  await walk('');
  same([...found].sort(), [...tree].sort(), `committed tree at ${rev}`);
}

abstract class Step implements fc.AsyncCommand<RepositoryModel, Real> {
  check(): boolean {
    return true;
  }
  abstract act(m: RepositoryModel, r: Real): Promise<void>;
  async run(m: RepositoryModel, r: Real): Promise<void> {
    await this.act(m, r);
    await checkStage(m, r);
  }
  abstract toString(): string;
}

class Upload extends Step {
  constructor(
    readonly dir: string,
    readonly parts: ReadonlyArray<{ name: string; content: string; gzip: boolean }>,
  ) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const paths = this.parts.map((p) => normalize(this.dir, p.name));
    const refused = paths.some((p) => m.conflict(p, paths) !== null);
    const reply = await upload(
      r.base,
      `${r.ws}/files/${this.dir}`,
      this.parts.map((p) => ({ filename: p.name, content: p.content, gzip: p.gzip })),
    );
    same(reply.status, refused ? 409 : 200, 'upload status', reply);
    if (refused) return same(reply.json().error?.type, 'path_conflict', 'upload refusal', reply);
    same(sortedUnique(reply.json().paths), sortedUnique(paths), 'upload paths', reply);
    // Within one request the last part at a path wins, and only its content becomes referenced
    // (a part overwritten in its own request is not staged, so stage_hashes answers it missing).
    const last = new Map(this.parts.map((p, i) => [paths[i]!, p.content]));
    for (const [path, c] of last) m.stage(path, c);
  }
  toString(): string {
    return (
      `upload(${JSON.stringify(this.dir)}, ` +
      `${this.parts.map((p) => `${p.name}=${p.content}${p.gzip ? '.gz' : ''}`).join(' ')})`
    );
  }
}

class StageHashes extends Step {
  constructor(readonly files: ReadonlyArray<{ path: string; content: string }>) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const known = this.files.filter((f) => m.referenced.has(f.content)).map((f) => ({ ...f, path: normalize(f.path) }));
    const missing = this.files.filter((f) => !m.referenced.has(f.content)).map((f) => normalize(f.path));
    const refused = known.some(
      (f) =>
        m.conflict(
          f.path,
          known.map((k) => k.path),
        ) !== null,
    );
    const body = { files: this.files.map((f) => ({ path: f.path, hash: hashes.get(f.content) })) };
    const reply = await sendJson(r.base, 'POST', `${r.ws}/stage_hashes`, body);
    same(reply.status, refused ? 409 : 200, 'stage_hashes status', reply);
    if (refused) return;
    same(sortedUnique(reply.json().paths), sortedUnique(known.map((f) => f.path)), 'stage_hashes paths', reply);
    same(sortedUnique(reply.json().missing), sortedUnique(missing), 'stage_hashes missing', reply);
    for (const f of known) m.stage(f.path, f.content);
  }
  toString(): string {
    return `stage_hashes(${this.files.map((f) => `${f.path}=${f.content}`).join(' ')})`;
  }
}

class Remove extends Step {
  constructor(readonly paths: readonly string[]) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const failed = this.paths.filter((p) => !m.base.has(normalize(p)) && !m.isCommittedDir(normalize(p)));
    const reply = await sendJson(r.base, 'DELETE', `${r.ws}/files`, this.paths);
    same(reply.status, failed.length === 0 ? 200 : 206, 'remove status', reply);
    if (failed.length > 0) same(reply.json().paths, failed, 'remove failed paths', reply);
    for (const raw of this.paths) {
      const p = normalize(raw);
      for (const f of m.base.keys()) if (f === p || f.startsWith(`${p}/`)) m.staged.set(f, { kind: 'remove' });
    }
  }
  toString(): string {
    return `remove(${this.paths.join(' ')})`;
  }
}

class Move extends Step {
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super();
  }
  /** Upstream's checks in its order (docs/architecture.md#the-stage), then sluice's collision rule. */
  expected(m: RepositoryModel): { status: number; content?: string } {
    const [src, dst] = [normalize(this.from), normalize(this.to)];
    if (src === dst) return { status: 400 };
    if (m.base.has(dst) || m.isCommittedDir(dst)) return { status: 400 };
    if (dst.split('/').some((_, i, all) => m.base.has(all.slice(0, i).join('/')))) return { status: 409 };
    if (m.isCommittedDir(src)) return { status: 400 };
    const staged = m.staged.get(src);
    const content = staged?.kind === 'add' ? staged.content : m.base.get(src);
    if (content === undefined) return { status: 404 };
    if (m.staged.has(dst)) return { status: 409 };
    if (m.conflict(dst) !== null) return { status: 409 };
    return { status: 200, content };
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const want = this.expected(m);
    const reply = await sendJson(r.base, 'PATCH', `${r.ws}/files/${this.from}`, { new_path: this.to });
    same(reply.status, want.status, 'move status', reply);
    if (want.content === undefined) return;
    const [src, dst] = [normalize(this.from), normalize(this.to)];
    m.staged.set(dst, { kind: 'add', content: want.content });
    if (m.base.has(src)) m.staged.set(src, { kind: 'remove' });
    else m.staged.delete(src);
  }
  toString(): string {
    return `move(${this.from} -> ${this.to})`;
  }
}

class Unstage extends Step {
  constructor(readonly path: string) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const reply = await send(r.base, 'DELETE', `${r.ws}/changes/${this.path}`);
    same(reply.status, m.staged.has(this.path) ? 200 : 404, 'unstage status', reply);
    m.staged.delete(this.path);
  }
  toString(): string {
    return `unstage(${this.path})`;
  }
}

/** One chunk of the chunked upload (docs/architecture.md#uploads), with the content's bytes or wrong ones. */
class SendChunk extends Step {
  constructor(
    readonly content: string,
    readonly right: boolean,
  ) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const body = this.right ? this.content : `${this.content}, but not quite`;
    const reply = await send(r.base, 'PUT', `${r.repo}/versions/${hashes.get(this.content)}/chunks?offset=0`, { body });
    same(reply.status, 200, 'chunk status', reply);
    m.chunks.set(this.content, this.right);
  }
  toString(): string {
    return `chunk(${this.content}${this.right ? '' : ', wrong bytes'})`;
  }
}

/**
 * The chunked completion into the workspace: the job that reassembles the chunks checks where the
 * file goes, then its hash; whatever it answers, the chunks it read are gone. Without chunks, content
 * the repository references is staged again; anything else is a chunk count mismatch.
 */
class CompleteChunked extends Step {
  constructor(
    readonly content: string,
    readonly dir: string,
    readonly name: string,
  ) {
    super();
  }
  expected(m: RepositoryModel, path: string): number {
    const sent = m.chunks.get(this.content);
    if (sent === undefined && !m.referenced.has(this.content)) return 400;
    if (m.conflict(path) !== null) return 409;
    return sent === false ? 400 : 200;
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const path = normalize(this.dir, this.name);
    const want = this.expected(m, path);
    const hash = hashes.get(this.content);
    const body = {
      files: [{ hash, file_name: this.name, dst_dir: this.dir, num_chunks: 1, upload_results: null }],
      workspace_id: 'w',
    };
    const reply = await sendJson(r.base, 'POST', `${r.repo}/versions/${hash}/complete`, body);
    same(reply.status, want, 'chunked completion status', reply);
    m.chunks.delete(this.content);
    if (want === 200) m.stage(path, this.content);
  }
  toString(): string {
    return `complete(${this.content} at ${JSON.stringify(this.dir)}/${this.name})`;
  }
}

/** A whole chunked upload, one chunk then its completion: a retry after a refusal is the case that matters. */
class ChunkedUpload extends Step {
  constructor(
    readonly content: string,
    readonly right: boolean,
    readonly dir: string,
  ) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    await new SendChunk(this.content, this.right).act(m, r);
    await new CompleteChunked(this.content, this.dir, 'big').act(m, r);
  }
  toString(): string {
    return `chunked(${this.content}${this.right ? '' : ', wrong bytes'} at ${JSON.stringify(this.dir)}/big)`;
  }
}

class Commit extends Step {
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const reply = await sendJson(r.base, 'POST', `${r.ws}/merge/main`, { message: 'm', author: 'a', email: 'a@x' });
    same(reply.status, m.staged.size === 0 ? 422 : 200, 'commit status', reply);
    if (reply.status !== 200) return;
    m.commit(reply.json().commit.id as string);
    await checkTree(m, r, 'main', m.base);
  }
  toString(): string {
    return 'commit';
  }
}

class ReadFile extends Step {
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
    const status = want !== undefined ? 200 : m.isCommittedDir(normalize(this.path), tree) ? 400 : 404;
    same(reply.status, status, `file ${this.path}`, reply);
    if (want !== undefined) same(reply.body.toString(), want, `bytes of ${this.path}`);
  }
  toString(): string {
    return `file(rev ${this.rev}, ${this.path})`;
  }
}

class ListDir extends Step {
  constructor(
    readonly rev: number,
    readonly dir: string,
  ) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const { id, tree } = m.commits[this.rev % m.commits.length]!;
    const dir = normalize(this.dir);
    const want = tree.has(dir) ? null : m.listing(tree, dir);
    const reply = await send(r.base, 'GET', `${r.repo}/dir/${id}/${this.dir}`);
    // a file's path is 400 "not a directory" (sluice's answer; upstream's error there is its lister's)
    same(reply.status, tree.has(dir) ? 400 : want === null ? 404 : 200, `dir ${this.dir}`, reply);
    if (want === null) return;
    const entries = (reply.json().entries as Array<{ filename: string; is_dir: boolean }>).map(
      (e) => `${e.filename}${e.is_dir ? '/' : ''}`,
    );
    same(entries.sort(), [...want].map(([n, d]) => `${n}${d ? '/' : ''}`).sort(), `listing of ${this.dir}`, reply);
  }
  toString(): string {
    return `dir(rev ${this.rev}, ${this.dir})`;
  }
}

const name = fc.constantFrom(...names);
const content = fc.constantFrom(...contents);
const plain = fc.constantFrom(...names.map(normalize));
// twice in the list, so that a refused chunked upload is often followed by its corrected retry
const chunked = fc
  .tuple(content, fc.boolean(), fc.constantFrom('', 'a'))
  .map(([c, right, dir]) => new ChunkedUpload(c, right, dir));
const steps = [
  fc
    .record({
      dir: fc.constantFrom(...dirs),
      parts: fc.array(fc.record({ name, content, gzip: fc.boolean() }), { minLength: 1, maxLength: 3 }),
    })
    .map(({ dir, parts }) => new Upload(dir, parts)),
  fc.array(fc.record({ path: name, content }), { minLength: 1, maxLength: 2 }).map((files) => new StageHashes(files)),
  fc.array(name, { minLength: 1, maxLength: 2 }).map((paths) => new Remove(paths)),
  fc.tuple(name, name).map(([from, to]) => new Move(from, to)),
  plain.map((p) => new Unstage(p)),
  fc.constant(new Commit()),
  fc.tuple(content, fc.boolean()).map(([c, right]) => new SendChunk(c, right)),
  // few destinations, so that a completion is often retried at the same place
  fc
    .tuple(content, fc.constantFrom('', 'a'), fc.constantFrom('big', 'b'))
    .map(([c, dir, n]) => new CompleteChunked(c, dir, n)),
  chunked,
  chunked,
  fc.tuple(fc.nat(5), name).map(([rev, p]) => new ReadFile(rev, p)),
  fc.tuple(fc.nat(5), fc.constantFrom('', 'a', 'b', 'x', './a')).map(([rev, d]) => new ListDir(rev, d)),
];

/**
 * The stateful model-based test (issue 26): random sequences of real HTTP operations (uploads,
 * stage-by-hash, chunked uploads, removals, moves, unstaging, commits, reads) on one
 * repository and one named workspace, each run on a fresh repository, and after every step the
 * server's answer and the staged list equal the model's (after a commit, the whole committed tree
 * and its bytes too). Failures print the seed and the shrunk command list.
 */
describe('a repository follows its model', () => {
  let sluice: SluiceProcess;
  let n = 0;
  beforeAll(async () => {
    for (const c of contents) hashes.set(c, await oxenHash(c));
    // thousands of requests a minute: the rate limit is not what this test is about
    sluice = await startSluice(testEnv('fs', { SLUICE_RATE_LIMIT: '0' }).env);
  });
  const turns = new OneAtATime();
  afterAll(async () => {
    await turns.idle();
    await sluice?.stop();
  });

  const setup = async (): Promise<{ model: RepositoryModel; real: Real }> => {
    const repo = `/api/repos/model/r${n++}`;
    const created = await sendJson(sluice.url, 'POST', '/api/repos', {
      namespace: 'model',
      name: repo.split('/').pop(),
      files: initialFiles,
    });
    if (created.status !== 200) throw new Error(`repo: ${created.status} ${created.body}`);
    const ws = await sendJson(sluice.url, 'PUT', `${repo}/workspaces`, {
      workspace_id: 'w',
      name: 'kept',
      branch_name: 'main',
    });
    if (ws.status !== 200) throw new Error(`workspace: ${ws.status} ${ws.body}`);
    const head = (await send(sluice.url, 'GET', `${repo}/branches/main`)).json().branch.commit_id as string;
    const model = new RepositoryModel();
    model.commits.push({ id: head, tree: new Map(initialFiles.map((f) => [f.path, f.contents])) });
    for (const f of initialFiles) model.referenced.add(f.contents);
    return { model, real: { base: sluice.url, repo, ws: `${repo}/workspaces/w` } };
  };

  it(
    'answers and stores as the model does, step by step',
    async () => {
      const property = fc.asyncProperty(fc.commands(steps, { maxCommands: 15 }), async (cmds) => {
        await turns.run(() => fc.asyncModelRun(setup, cmds));
      });
      const replay = budget.path === undefined ? {} : { path: budget.path };
      const found = await fc.check(property, {
        seed: budget.seed,
        numRuns: 1e9,
        interruptAfterTimeLimit: budget.timeLimitMs,
        endOnFailure: true,
        ...replay,
      });
      console.log(`repository model: seed ${budget.seed}, ${found.numRuns} command sequences`);
      if (!found.failed) return;
      const shrunk = await fc.check(property, {
        seed: budget.seed,
        path: found.counterexamplePath ?? undefined,
        interruptAfterTimeLimit: shrinkMs,
      });
      const report = shrunk.failed ? shrunk : found;
      const why = report.errorInstance instanceof Error ? report.errorInstance.message : String(report.errorInstance);
      throw new Error(
        `${fc.defaultReportMessage(report)}\n\n${why}\n\nreplay: SLUICE_FUZZ_SEED=${budget.seed} ` +
          `SLUICE_FUZZ_PATH=${report.counterexamplePath} npx vitest run test/generative/repository-model.test.ts`,
      );
    },
    budget.timeLimitMs + shrinkMs + 120_000,
  );
});
