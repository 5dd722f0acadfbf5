import { SluiceError } from './sluice-error.js';
import { isWellFormed } from './well-formed.js';

const maxBranchName = 256;

/**
 * The one rule for a branch name, on every route that can create a branch (POST branches, a
 * first workspace on an empty repository): 1 to 256 characters, well-formed, no control
 * characters, `/`-separated segments none of which is empty, `.` or `..`.
 */
export function assertBranchName(value: unknown): string {
  const valid =
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= maxBranchName &&
    isWellFormed(value) &&
    !/[\u0000-\u001f\u007f]/.test(value) &&
    value.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
  if (valid) return value;
  throw new SluiceError(
    'invalid_name',
    `Invalid branch name ${JSON.stringify(value)}: 1 to ${maxBranchName} characters, no control characters, ` +
      `'/'-separated segments that are not empty, '.' or '..'`,
  );
}
