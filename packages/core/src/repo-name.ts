import { SluiceError } from './sluice-error.js';

const validName = /^[A-Za-z0-9][A-Za-z0-9_.-]+$/;

/** Namespaces and repository names follow upstream's rule: ASCII alphanumeric start, 2+ chars. */
export function assertRepoName(value: unknown, what = 'repository or namespace'): string {
  if (typeof value === 'string' && value.length <= 128 && validName.test(value)) return value;
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  throw new SluiceError('invalid_name', `Invalid ${what} name '${shown}'. Must match [a-zA-Z0-9][a-zA-Z0-9_.-]+`, {
    statusMessage: `Invalid repository or namespace name '${shown}'. Must match [a-zA-Z0-9][a-zA-Z0-9_.-]+`,
  });
}
