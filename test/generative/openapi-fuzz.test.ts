import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { awaitingFix, regressions } from './awaiting-fix.js';
import { caseArbitrary, type FuzzCase } from './fuzz-case.js';
import { fuzzBudget } from './fuzz-budget.js';
import { FuzzTarget } from './fuzz-target.js';
import type { Operation } from './openapi-operations.js';

const budget = fuzzBudget(50);
/** SLUICE_FUZZ_SURVEY=1: print every kind of violation found once and keep going, for finding several at a time. */
const survey = process.env.SLUICE_FUZZ_SURVEY === '1';
const seen = new Set<string>();
/** SLUICE_FUZZ_OPS=add,mv: only these operations (by operationId), for a long run on a few routes. */
const only = process.env.SLUICE_FUZZ_OPS ? process.env.SLUICE_FUZZ_OPS.split(',') : null;
/** Shrinking a failure found late in the budget gets this long on top. */
const shrinkMs = budget.extended ? 10 * 60_000 : 90_000;

/**
 * The request fuzzer (issue 26): for every operation of sluice's own OpenAPI document, requests
 * with valid, boundary and mutated parameters and bodies, every Content-Type and framing, sent
 * whole, slowly or cut, with alpha's token, a reader's, the other tenant's, a made-up one or none.
 * Invariants: sluice stays up; no 5xx but 503 with Retry-After; every refusal in the Oxen envelope
 * as JSON; authorization answers first; a refused or cut request changes no Redis key and no object.
 */
describe('requests fuzzed from the OpenAPI document', () => {
  const target = new FuzzTarget(inject('redisUrl'));
  beforeAll(async () => target.start());
  afterAll(async () => target.stop());

  it(
    'hold every invariant, whatever is sent',
    async () => {
      // every operation, those that take a body more often, and those that stream one most: there the defects were
      const weight = (op: Operation) =>
        op.bodyTypes.some((t) => t !== 'application/json') ? 4 : op.bodyTypes.length > 0 ? 2 : 1;
      const chosen = target.operations.filter((op) => only === null || only.includes(op.id));
      expect(chosen.length, `SLUICE_FUZZ_OPS names no operation of the document: ${only}`).toBeGreaterThan(0);
      const arbitrary = fc.oneof(
        ...chosen.map((op) => ({ weight: weight(op), arbitrary: caseArbitrary(op, target.fixture) })),
      );
      const property = fc.asyncProperty(arbitrary, async (c: FuzzCase) => {
        fc.pre(!awaitingFix.some((defect) => defect.steer?.(c)));
        const { problems, exchange } = await target.run(c);
        const unexplained = problems.filter((problem) => !awaitingFix.some((defect) => defect.explains?.(problem, c)));
        if (unexplained.length === 0) return;
        if (!survey) throw new Error(`${unexplained.join('\n')}\n${exchange}`);
        // surveying: each kind of violation once (digits and quoted values folded), and go on
        const kind = `${c.op} ${unexplained[0]!
          .split('\n')[0]!
          .replace(/\d+/g, 'N')
          .replace(/'[^']*'/g, "'…'")
          .slice(0, 120)}`;
        if (!seen.has(kind)) console.log(`\n=== ${kind}\n${unexplained.join('\n')}\n${exchange}`);
        seen.add(kind);
      });
      const replay = budget.path === undefined ? {} : { path: budget.path };
      // Explore for the budget without shrinking, then replay the failure found and shrink it.
      const found = await fc.check(property, {
        seed: budget.seed,
        numRuns: 1e9,
        interruptAfterTimeLimit: budget.timeLimitMs,
        endOnFailure: true,
        ...replay,
      });
      console.log(
        `openapi fuzz: seed ${budget.seed}, ${found.numRuns} requests, ${found.numSkips} steered around ` +
          `${awaitingFix.length} awaited fixes`,
      );
      if (survey) {
        console.log(
          [...target.statuses]
            .sort()
            .map(([k, n]) => `${k}: ${n}`)
            .join('\n'),
        );
        if (process.env.SLUICE_FUZZ_SAMPLES === '1') for (const [k, v] of target.samples) console.log(`--- ${k}\n${v}`);
        expect([...seen]).toEqual([]);
      }
      if (!found.failed) return;
      const shrunk = await fc.check(property, {
        seed: budget.seed,
        path: found.counterexamplePath ?? undefined,
        interruptAfterTimeLimit: shrinkMs,
      });
      const report = shrunk.failed ? shrunk : found;
      throw new Error(
        `${fc.defaultReportMessage(report)}\n\n` +
          `${report.errorInstance instanceof Error ? report.errorInstance.message : String(report.errorInstance)}\n\n` +
          `replay: SLUICE_FUZZ_SEED=${budget.seed} SLUICE_FUZZ_PATH=${report.counterexamplePath} ` +
          'npx vitest run test/generative/openapi-fuzz.test.ts',
      );
    },
    budget.timeLimitMs + shrinkMs + 60_000,
  );

  for (const defect of regressions) {
    it(`regression: ${defect.name}`, async () => {
      const { problems, exchange } = await target.run(defect.example);
      expect(problems, exchange).toEqual([]);
    });
  }
  // SLUICE_FUZZ_AWAITED=1 runs them too: each fails until its fix is in
  for (const defect of awaitingFix) {
    it.skipIf(process.env.SLUICE_FUZZ_AWAITED !== '1')(`awaiting fix: ${defect.name} (${defect.reason})`, async () => {
      const { problems, exchange } = await target.run(defect.example);
      expect(problems, exchange).toEqual([]);
    });
  }
});
