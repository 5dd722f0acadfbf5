import type { BlobStore } from '@sluice/storage';
import { oxenHash } from '@sluice/core';
import { specPath } from '@sluice/api';
import { startSluice, type SluiceProcess } from '../support/sluice-process.js';
import { testEnv, type TestEnv } from '../support/test-env.js';
import { send } from '../support/oxen-http.js';
import { authHeader, buildFixture, ensureWorkspace, makeTokens, tenant, type Fixture } from './fuzz-fixture.js';
import { describeRequest, materialize, uploadContent, type FuzzCase } from './fuzz-case.js';
import { liveUpload } from './fuzz-values.js';
import { changeAllowed, isRefusal, judgeOutcome } from './fuzz-judge.js';
import { operationsOf, type Operation } from './openapi-operations.js';
import { snapshotDiff, takeSnapshot, type StateSnapshot } from './state-snapshot.js';
import { sendWire, type WireOutcome, type WireRequest } from './wire-request.js';
import { OneAtATime } from './one-at-a-time.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A cut of a request without a body (no length, or length 0) comes after all of it was sent:
 * a whole request, which the server may carry out though the client is gone (its answer is
 * lost then), not a cut one held to changing nothing.
 */
const sentWhole = (request: WireRequest): boolean =>
  (request.delivery.kind === 'cut-end' || request.delivery.kind === 'cut-reset') &&
  request.body.length === 0 &&
  request.framing !== 'chunked';

/**
 * A request sent with neither Content-Length nor chunking has no body (RFC 9112, 6.3): the server
 * reads the head as a whole request with an empty body, which it may carry out, and then refuses
 * the bytes that follow as a malformed next message. That 400 answers those bytes, and the
 * request's own answer is lost behind it, so the request is not a refused one held to changing
 * nothing.
 */
const bodyReadAsNextMessage = (request: WireRequest, outcome: WireOutcome): boolean =>
  request.framing === 'none' &&
  request.body.length > 0 &&
  outcome.kind === 'answer' &&
  outcome.reply.status === 400 &&
  /malformed HTTP request/.test(outcome.reply.body.toString());

/**
 * A running sluice with auth on and two tenants, and the fuzzer's side of it: runs one case,
 * judges it, and restarts sluice (same Redis, same store) when a case brought it down, so the
 * shrinking that follows runs against a live server too.
 */
export class FuzzTarget {
  sluice!: SluiceProcess;
  fixture!: Fixture;
  operations: Operation[] = [];
  private env!: TestEnv;
  private store!: BlobStore;
  /** A case was accepted (or cut): the next one first waits for the state to settle. */
  private dirty = true;
  private lastMethod = 'POST';
  private readonly turns = new OneAtATime();
  /** Answers by operation and status (`add 200`, `mv cut`), to see how deep the cases reach. */
  readonly statuses = new Map<string, number>();
  /** The first exchange of each tally, for looking at what a case got. */
  readonly samples = new Map<string, string>();

  constructor(
    private readonly redisUrl: string,
    private readonly extraEnv: Record<string, string> = {},
  ) {}

  async start(): Promise<void> {
    const { tokensFile, tokens } = makeTokens();
    this.env = testEnv('fs', {
      SLUICE_AUTH: 'on',
      SLUICE_AUTH_TOKENS_FILE: tokensFile,
      SLUICE_RATE_LIMIT: '0',
      SLUICE_READ_RATE_LIMIT: '0',
      // small limits, so the bodies the fuzzer sends reach them
      SLUICE_MAX_REQUEST_BYTES: String(1024 * 1024),
      SLUICE_WORKSPACE_MAX_FILES: '200',
      SLUICE_SYNC_TIMEOUT_SECONDS: '20',
      ...this.extraEnv,
    });
    this.sluice = await startSluice(this.env.env);
    this.store = await this.env.store();
    this.fixture = await buildFixture(this.sluice.url, tokens, tokensFile);
    const document = (await send(this.sluice.url, 'GET', specPath)).json() as Parameters<typeof operationsOf>[0];
    this.operations = operationsOf(document);
  }

  async stop(): Promise<void> {
    await this.turns.idle();
    await this.sluice?.stop();
  }

  operation(id: string): Operation {
    const op = this.operations.find((o) => o.id === id);
    if (op === undefined) throw new Error(`no operation ${id} in the document`);
    return op;
  }

  private async restart(): Promise<void> {
    await this.sluice.kill();
    this.sluice = await startSluice(this.env.env);
    this.dirty = true;
  }

  private healthy(): Promise<boolean> {
    return send(this.sluice.url, 'GET', '/api/health').then(
      (r) => r.status === 200,
      () => false,
    );
  }

  private alive(): boolean {
    return this.sluice.child.exitCode === null && this.sluice.child.signalCode === null;
  }

  private snapshot(): Promise<StateSnapshot> {
    return takeSnapshot(this.redisUrl, this.env.env.SLUICE_KEY_PREFIX!, this.store);
  }

  /** Waits until two snapshots a moment apart agree (jobs of earlier cases finished), at most a few seconds. */
  private async settle(): Promise<StateSnapshot> {
    let last = await this.snapshot();
    for (let i = 0; i < 40; i++) {
      await sleep(75);
      const next = await this.snapshot();
      if (snapshotDiff(last, next).length === 0) return next;
      last = next;
    }
    return last;
  }

  /**
   * A repository of the fixture that a fuzzed DELETE took is made again under its name (a new
   * repository: the ids the cases know of it no longer resolve, which they are judged by anyway).
   */
  private async recreateDeleted(c: FuzzCase): Promise<void> {
    if (c.op !== 'delete_repo') return;
    const tenants = [
      ['alpha', 'mine', 'own', 'alpha\n'],
      ['beta', 'secrets', 'other', 'PIN=4321\n'],
    ] as const;
    for (const [ns, repo, token, secret] of tenants) {
      const found = await send(this.sluice.url, 'GET', `/api/repos/${ns}/${repo}`, {
        headers: authHeader(this.fixture.tokens[token]),
      });
      if (found.status === 404) await this.makeAgain(token, ns, repo, secret);
    }
  }

  /** A repository is made again once its eraser is done: until then its name answers 409 repo_being_deleted. */
  private async makeAgain(token: 'own' | 'other', ns: string, repo: string, secret: string): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        await tenant(this.sluice.url, this.fixture.tokens[token]!, ns, repo, secret);
        return;
      } catch (error) {
        if (i >= 100 || !String(error).includes('repo_being_deleted')) throw error;
        await sleep(100);
      }
    }
  }

  /** Begins the resumable upload a part case sends to; the hash is right for uploadContent(size). */
  private async beginUpload(c: FuzzCase): Promise<string | null> {
    const hash = await oxenHash(uploadContent(c.upload.size));
    const body = {
      hash,
      size: c.upload.size,
      ...(c.upload.destination ? { destination: { path: `up/${c.upload.size}.bin`, workspace_id: 'wa' } } : {}),
    };
    const reply = await send(this.sluice.url, 'POST', '/api/repos/alpha/mine/versions/uploads', {
      headers: { ...authHeader(this.fixture.tokens.own), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return reply.json().file?.upload_id ?? null;
  }

  /** Runs one case: what it violated (none when it held every invariant), and the request and answer, to print. */
  run(c: FuzzCase): Promise<{ problems: string[]; exchange: string }> {
    return this.turns.run(() => this.runAlone(c));
  }

  private async runAlone(c: FuzzCase): Promise<{ problems: string[]; exchange: string }> {
    const op = this.operation(c.op);
    // a sluice restarted within an earlier test was stopped when that test ended
    if (!this.alive() || !(await this.healthy())) await this.restart();
    const wasDirty = this.dirty;
    // only a change can have deleted or emptied the workspace the cases mostly write to
    if (wasDirty && this.lastMethod !== 'GET') await ensureWorkspace(this.sluice.url, this.fixture.tokens.own!);
    this.lastMethod = c.method;
    this.dirty = false;
    const uploadId = c.params.upload_id?.value === liveUpload ? await this.beginUpload(c) : null;
    const before = wasDirty || uploadId !== null ? await this.settle() : await this.snapshot();
    const request = materialize(c, op, this.fixture, uploadId);
    const outcome = await sendWire(this.sluice.url, request, 30_000);
    const problems = judgeOutcome(c, op, outcome);
    const tally = `${c.op} ${outcome.kind === 'answer' ? outcome.reply.status : outcome.kind}`;
    this.statuses.set(tally, (this.statuses.get(tally) ?? 0) + 1);
    await sleep(5);
    if (!this.alive() || !(await this.healthy())) {
      problems.push(`sluice went down; its last output:\n${this.sluice.output().split('\n').slice(-15).join('\n')}`);
      await this.restart();
    } else if (
      (isRefusal(outcome) && !bodyReadAsNextMessage(request, outcome)) ||
      (outcome.kind !== 'answer' && !sentWhole(request))
    ) {
      // what a refused or cut request left must be gone once its clean-up ran
      const changes = async () => {
        const lines = snapshotDiff(before, await this.snapshot(), Infinity);
        return outcome.kind === 'answer' ? lines.filter((line) => !changeAllowed(c.op, outcome.reply, line)) : lines;
      };
      let diff = await changes();
      for (let i = 0; i < 30 && diff.length > 0; i++) {
        await sleep(100);
        diff = await changes();
      }
      if (diff.length > 12) diff = [...diff.slice(0, 12), `… ${diff.length - 12} more`];
      if (diff.length > 0) {
        const what = outcome.kind === 'answer' ? `refused (${outcome.reply.status})` : `cut (${outcome.kind})`;
        problems.push(`${what} but changed state:\n    ${diff.join('\n    ')}`);
        this.dirty = true;
      }
    } else {
      this.dirty = true;
    }
    await this.recreateDeleted(c);
    const answer =
      outcome.kind === 'answer'
        ? `${outcome.reply.status} ${outcome.reply.body.subarray(0, 300).toString()}`
        : outcome.kind;
    if (!this.samples.has(tally)) this.samples.set(tally, `${describeRequest(request)}\nanswer: ${answer}`);
    return {
      problems,
      exchange: `request (${c.op}, token ${c.token}):\n  ${describeRequest(request)}\nanswer: ${answer}`,
    };
  }
}
