import { parseArgs } from 'node:util';

/** The command line: every option of every command, with its default. */
export function parseCli(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      remote: { type: 'string' },
      token: { type: 'string' },
      branch: { type: 'string', default: 'main' },
      dst: { type: 'string', default: '' },
      workspace: { type: 'string' },
      message: { type: 'string', short: 'm' },
      author: { type: 'string' },
      email: { type: 'string' },
      async: { type: 'boolean', default: false },
      'no-commit': { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '4' },
      'chunk-size': { type: 'string', default: '10MiB' },
      'batch-size': { type: 'string', default: '10MiB' },
      gzip: { type: 'string', default: 'auto' },
      exclude: { type: 'string', multiple: true, default: [] },
      'no-gitignore': { type: 'boolean', default: false },
      'retry-for': { type: 'string', default: '30s' },
      json: { type: 'boolean', default: false },
      revision: { type: 'string', default: 'main' },
      limit: { type: 'string' },
      to: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
}

export type CliValues = ReturnType<typeof parseCli>['values'];
