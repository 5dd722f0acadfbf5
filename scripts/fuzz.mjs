#!/usr/bin/env node
// `npm run fuzz -- --minutes N [--seed S]`: runs the generative suites (test/generative/) for
// N minutes each instead of their `npm test` budget, from seed S when given (a failure prints
// the seed to replay). The suites read SLUICE_FUZZ_MINUTES and SLUICE_FUZZ_SEED.
import { spawnSync } from 'node:child_process';

const env = { ...process.env };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  const [flag, value] = [args[i], args[i + 1]];
  const name = { '--minutes': 'SLUICE_FUZZ_MINUTES', '--seed': 'SLUICE_FUZZ_SEED' }[flag];
  if (name === undefined || value === undefined || !/^\d+(\.\d+)?$/.test(value)) {
    console.error('usage: npm run fuzz -- --minutes N [--seed S]');
    process.exit(2);
  }
  env[name] = value;
}
const run = spawnSync('npx', ['vitest', 'run', '--project', 'redis', 'test/generative/'], { env, stdio: 'inherit' });
process.exit(run.status ?? 1);
