import fc from 'fast-check';
import type { Fixture } from './fuzz-fixture.js';
import { oddString } from './odd-values.js';
import type { Hints, JsonSchema } from './schema-arbitrary.js';

/** A parameter's value, and whether it was drawn from the odd ones (then the route it reaches may differ). */
export interface ParamValue {
  value: string;
  odd: boolean;
}

/** Stands for the id of a resumable upload begun just before the request. */
export const liveUpload = '<live-upload>';

const hex32 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex'));

/** Plausible values, by parameter or field name: the fixture's ids first, then near misses. */
export function knownValues(name: string, f: Fixture): fc.Arbitrary<string> | undefined {
  const paths = fc.constantFrom('a.txt', 'd/x.txt', 'd', 's/staged.txt', 'new.txt', 'd/new/y.txt', 'a.txt/under');
  switch (name) {
    case 'namespace':
      return fc.constantFrom('alpha', 'alpha', 'alpha', 'alpha', 'beta');
    case 'repo_name':
      return fc.oneof(
        { weight: 10, arbitrary: fc.constant('mine') },
        { weight: 1, arbitrary: fc.constantFrom('secrets', 'nope') },
      );
    case 'name':
      return fc.oneof(
        fc.constantFrom('mine', 'secrets'),
        fc.nat(1_000_000).map((n) => `r${n}`),
      );
    case 'workspace_id':
      return fc.oneof(
        { weight: 8, arbitrary: fc.constant('wa') },
        { weight: 1, arbitrary: fc.constantFrom('w1', 'w-new') },
      );
    case 'branch':
    case 'branch_name':
    case 'from_name':
    case 'new_name':
      return fc.constantFrom('main', 'main', 'dev', 'b-new');
    case 'commit_id':
      return fc.oneof(
        { weight: 3, arbitrary: fc.constant(f.alphaCommit) },
        { weight: 1, arbitrary: fc.constant(f.betaCommit) },
        { weight: 1, arbitrary: hex32 },
      );
    case 'revision':
      return fc.constantFrom('main', 'dev', f.alphaCommit, f.betaCommit);
    case 'revision_and_path':
      return fc.constantFrom(
        'main/a.txt',
        'main/',
        'main',
        'main/d',
        'dev/d/x.txt',
        `${f.alphaCommit}/a.txt`,
        `${f.betaCommit}/a.txt`,
      );
    case 'path':
    case 'new_path':
    case 'item':
    case 'file_name':
    case 'contents':
      return paths;
    case 'dst_dir':
      return fc.constantFrom('', 'd', 'new');
    case 'hash':
      return fc.oneof(fc.constantFrom(f.alphaHash, f.alphaHash, f.betaHash), hex32);
    case 'job_id':
      return fc.constantFrom(f.alphaJob, f.betaJob, 'meta', 'id');
    case 'upload_id':
      return fc.oneof(
        { weight: 8, arbitrary: fc.constant(liveUpload) },
        { weight: 1, arbitrary: fc.constant('u-unknown') },
      );
    case 'part_number':
      return fc.oneof(
        { weight: 8, arbitrary: fc.constant('1') },
        { weight: 1, arbitrary: fc.constantFrom('0', '2', '-1', '1.5', '1e0', '01', '99999999999999999999') },
      );
    case 'state':
      return fc.constantFrom('started', 'completed');
    case 'action':
      return fc.constantFrom('push', 'commit');
    case 'message':
    case 'author':
    case 'email':
      return fc.constantFrom('m', 'a@example.com');
    case 'prefer':
      return fc.constantFrom('respond-async', 'respond-sync', 'wait=1');
    case 'idempotency-key':
      return fc.oneof(
        fc.constantFrom('k', 'x'.repeat(200), 'x'.repeat(201)),
        fc.nat(1000).map((n) => `k${n}`),
      );
    case 'async':
      return fc.constantFrom('true', 'false', '1');
    default:
      return undefined;
  }
}

export function paramValue(name: string, f: Fixture): fc.Arbitrary<ParamValue> {
  const known = knownValues(name, f) ?? fc.string({ minLength: 1, maxLength: 8 });
  return fc.oneof(
    { weight: 12, arbitrary: known.map((value) => ({ value, odd: false })) },
    { weight: 1, arbitrary: oddString.map((value) => ({ value, odd: true })) },
  );
}

/** Query parameter values: mostly usual ones, then integers past their bounds and text where a number belongs. */
export function queryValue(name: string): fc.Arbitrary<string> {
  const usual =
    name === 'async'
      ? fc.constantFrom('true', 'false')
      : name === 'name'
        ? fc.constantFrom('wa', 'w1')
        : fc.constantFrom('1', '2', '10', '100');
  return fc.oneof(
    { weight: 6, arbitrary: usual },
    {
      weight: 1,
      arbitrary: fc.constantFrom('0', '-1', '1000', '1001', '2147483648', '1e21', '1.5', '', 'x', 'true', '%00'),
    },
    { weight: 1, arbitrary: fc.integer().map(String) },
  );
}

/** Hints for body fields: mostly the fixture's values, then odd strings. */
export function bodyHints(f: Fixture): Hints {
  const takes = (schema: JsonSchema, type: string): boolean =>
    schema.type === type || (schema.anyOf ?? []).some((s) => s.type === type);
  return (name, schema) => {
    if (takes(schema, 'integer')) {
      if (name === 'size') return fc.constantFrom(1, 100, 1000, 2 ** 40, 2 ** 40 + 1, 2 ** 53);
      if (name === 'num_chunks') return fc.constantFrom(0, 1, 2, 1_000_000);
      return undefined;
    }
    const known = takes(schema, 'string') ? knownValues(name, f) : undefined;
    return known === undefined
      ? undefined
      : fc.oneof({ weight: 10, arbitrary: known }, { weight: 1, arbitrary: oddString });
  };
}
