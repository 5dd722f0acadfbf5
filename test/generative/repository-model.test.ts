import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { send, sendJson } from '../support/oxen-http.js';
import { startSluice, type SluiceProcess } from '../support/sluice-process.js';
import { testEnv } from '../support/test-env.js';
import { fuzzBudget } from './fuzz-budget.js';
import { normalize, RepositoryModel, WorkspaceModel } from './repository-model.js';
import { OneAtATime } from './one-at-a-time.js';
import { bigLabel, bytesOf, hashContents, smallContents, workspaceIds, type Real } from './model-real.js';
import { Move, Remove, StageHashes, Unstage, Upload } from './model-stage-steps.js';
import { ChunkedUpload, CompleteChunked, SendChunk } from './model-chunked-steps.js';
import { BeginResumable, PutPart, type PartMode } from './model-resumable-steps.js';
import { Commit, ListDir, ReadFile } from './model-read-steps.js';

const budget = fuzzBudget(40);
const shrinkMs = budget.extended ? 10 * 60_000 : 60_000;
/**
 * Quotas per workspace, small enough that sequences reach them (413 quota_exceeded): three files, and
 * bytes that the two-part content leaves room beside for one small content only.
 */
const quota = { files: 3, bytes: bytesOf(bigLabel).length + 5 };

/** Small alphabets, so that paths collide, are spelled differently and contents repeat. */
const names = ['a', 'b', 'a/b', 'x', 'x/y', 'b/a', './a', 'a//b'] as const;
const dirs = ['', 'a', './a', 'b/'] as const;
const initialFiles = [
  { path: 'a/b', contents: 'one' },
  { path: 'x', contents: 'two' },
];

const ws = fc.nat(1);
const name = fc.constantFrom(...names);
const content = fc.constantFrom(...smallContents);
const plain = fc.constantFrom(...new Set(names.map((n) => normalize(n))));
// twice in the list, so that a refused chunked upload is often followed by its corrected retry
const chunked = fc
  .tuple(ws, content, fc.boolean(), fc.constantFrom('', 'a'))
  .map(([w, c, right, dir]) => new ChunkedUpload(w, c, right, dir));
// two slots, so that an upload is often resent to after it ended; the big content has two parts
const slot = fc.nat(1);
const part = fc
  .tuple(
    slot,
    fc.constantFrom(1, 1, 2),
    fc.constantFrom<PartMode>('right', 'right', 'wrong bytes', 'short', 'long, chunked'),
  )
  .map(([s, n, mode]) => new PutPart(s, n, mode));
const steps = [
  fc
    .record({
      w: ws,
      dir: fc.constantFrom(...dirs),
      parts: fc.array(fc.record({ name, content, gzip: fc.boolean() }), { minLength: 1, maxLength: 3 }),
    })
    .map(({ w, dir, parts }) => new Upload(w, dir, parts)),
  fc
    .tuple(ws, fc.array(fc.record({ path: name, content }), { minLength: 1, maxLength: 2 }))
    .map(([w, files]) => new StageHashes(w, files)),
  fc.tuple(ws, fc.array(name, { minLength: 1, maxLength: 2 })).map(([w, paths]) => new Remove(w, paths)),
  fc.tuple(ws, name, name).map(([w, from, to]) => new Move(w, from, to)),
  fc.tuple(ws, plain).map(([w, p]) => new Unstage(w, p)),
  ws.map((w) => new Commit(w)),
  ws.map((w) => new Commit(w)),
  fc.tuple(content, fc.boolean()).map(([c, right]) => new SendChunk(c, right)),
  // few destinations, so that a completion is often retried at the same place
  fc
    .tuple(ws, content, fc.constantFrom('', 'a'), fc.constantFrom('big', 'b'))
    .map(([w, c, dir, n]) => new CompleteChunked(w, c, dir, n)),
  chunked,
  chunked,
  fc
    .tuple(slot, ws, fc.constantFrom(...smallContents, bigLabel), name)
    .map(([s, w, c, p]) => new BeginResumable(s, w, c, p)),
  part,
  part,
  part,
  fc.tuple(fc.nat(5), name).map(([rev, p]) => new ReadFile(rev, p)),
  fc
    .tuple(fc.nat(5), fc.constantFrom('', 'a', 'b', 'x', './a'), fc.option(fc.constantFrom(1, 2), { nil: undefined }))
    .map(([rev, d, size]) => new ListDir(rev, d, size)),
];

/**
 * The stateful model-based test (issue 26): random sequences of real HTTP operations (uploads,
 * stage-by-hash, chunked and resumable uploads, removals, moves, unstaging, commits of either of two
 * workspaces, reads and paged listings) on one repository, each run on a fresh repository, with a
 * file quota per workspace; after every step the server's answer and both staged lists equal the
 * model's (after a commit, the whole committed tree and its bytes too). Failures print the seed and
 * the shrunk command list.
 */
describe('a repository follows its model', () => {
  let sluice: SluiceProcess;
  let env: Record<string, string>;
  let n = 0;
  beforeAll(async () => {
    await hashContents();
    // thousands of requests a minute: the rate limit is not what this test is about
    env = testEnv('fs', {
      SLUICE_RATE_LIMIT: '0',
      SLUICE_WORKSPACE_MAX_FILES: String(quota.files),
      SLUICE_WORKSPACE_MAX_BYTES: String(quota.bytes),
    }).env;
    sluice = await startSluice(env);
  });
  const turns = new OneAtATime();
  afterAll(async () => {
    await turns.idle();
    await sluice?.stop();
  });

  const setup = async (): Promise<{ model: RepositoryModel; real: Real }> => {
    // A sequence that brought sluice down fails; the next starts another (same Redis and store), so
    // the shrink looks for the commands that end the process rather than failing on a dead one.
    // The unhandled-error guard still fails the file for the process that died.
    const up = await send(sluice.url, 'GET', '/api/health').then(
      (r) => r.status === 200,
      () => false,
    );
    if (!up) {
      await sluice.kill();
      sluice = await startSluice(env);
    }
    const repo = `/api/repos/model/r${n++}`;
    const created = await sendJson(sluice.url, 'POST', '/api/repos', {
      namespace: 'model',
      name: repo.split('/').pop(),
      files: initialFiles,
    });
    if (created.status !== 200) throw new Error(`repo: ${created.status} ${created.body}`);
    for (const id of workspaceIds) {
      const made = await sendJson(sluice.url, 'PUT', `${repo}/workspaces`, {
        workspace_id: id,
        name: `kept-${id}`,
        branch_name: 'main',
      });
      if (made.status !== 200) throw new Error(`workspace: ${made.status} ${made.body}`);
    }
    const head = (await send(sluice.url, 'GET', `${repo}/branches/main`)).json().branch.commit_id as string;
    const model = new RepositoryModel(quota, (c) => bytesOf(c).length);
    model.commits.push({ id: head, tree: new Map(initialFiles.map((f) => [f.path, f.contents])) });
    model.workspaces = workspaceIds.map(() => new WorkspaceModel(head));
    for (const f of initialFiles) model.referenced.add(f.contents);
    const real: Real = { base: sluice.url, repo, ws: workspaceIds.map((id) => `${repo}/workspaces/${id}`) };
    return { model, real };
  };

  it(
    'answers and stores as the model does, step by step',
    async () => {
      const property = fc.asyncProperty(fc.commands(steps, { maxCommands: 25, size: 'max' }), async (cmds) => {
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
