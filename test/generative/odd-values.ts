import fc from 'fast-check';

/**
 * Names and paths a hostile or careless client sends: traversal, separators, encodings, control
 * characters, lone surrogates, Unicode spelled two ways, key-tag characters, and long ones.
 */
const oddConstants = [
  '',
  '.',
  '..',
  '../..',
  '../../etc/passwd',
  'a/../b',
  './a',
  'a/./b',
  '/',
  '//',
  '/abs',
  'a//b',
  'x/',
  '\\',
  'a\\b',
  '..\\..\\x',
  '%2e%2e',
  '%2e%2e%2fetc',
  '%',
  '%zz',
  '%00',
  'a\u0000b',
  '\r\n',
  'a\tb',
  ' ',
  ' lead',
  'trail ',
  '\ud800',
  '\udfff',
  '🐂',
  'é',
  'e\u0301',
  '\u202egnp.exe',
  '\u200b',
  '\ufeff',
  'ﬁ',
  'İ',
  '漢字',
  'CON',
  'nul',
  'x}:meta',
  '{tag}',
  '*',
  '?',
  '#',
  '&',
  '"',
  "'",
  '<script>',
  '~',
  '$HOME',
  'a:b',
  '__proto__',
  'constructor',
  'prototype',
  'main^',
  'HEAD~1',
  '@{-1}',
  '.git',
  '.oxen',
];

export const oddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...oddConstants) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.constantFrom('..', '.', 'a', '', 'é', '🐂', 'x y'), { minLength: 1, maxLength: 6 })
      .map((s) => s.join('/')),
  },
  // past the 4096-byte path rule, and far past the router's parameter length
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(4095, 4096, 4097, 5000, 20_000)
      .chain((n) => fc.constantFrom('x'.repeat(n), 'a/'.repeat(n >> 1), 'é'.repeat(n >> 1))),
  },
);

/** JSON values of any type, for where a field's type is wrong. */
export const wrongTyped: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, '', '0', 'true', [], {}, [null], {
    '': '',
  }),
  fc.string({ maxLength: 8 }),
  fc.integer(),
);

/** Nested arrays or objects `depth` levels deep, as text: JSON.stringify would recurse on them. */
export function deepNesting(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}
