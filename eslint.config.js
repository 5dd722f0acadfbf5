// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['**/dist/', '**/node_modules/', 'bench/results/', 'coverage/', 'test-output/', 'data/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      // the few plain .js/.mjs scripts run on Node (TypeScript checks the names in .ts files)
      globals: { process: 'readonly', console: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // a leading underscore names what is dropped on purpose (a destructured field left out of the rest)
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // names, headers and terminal output are checked for control characters on purpose
      'no-control-regex': 'off',
      // issue 30: lines of at most 120 characters (Prettier's width; it leaves long strings and comments alone)
      'max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }],
    },
  },
  {
    // server code: a .pipe() does not pass an error or an abort on to the next stream (see the safety issue)
    files: ['apps/*/src/**/*.ts', 'packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='pipe']",
          message:
            'A .pipe() does not pass errors or aborts on: ' +
            'use stream.pipeline / await pipeline(...) from node:stream/promises.',
        },
      ],
    },
  },
);
