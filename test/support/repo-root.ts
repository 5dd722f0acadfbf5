import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository's root, found from this file wherever it runs (source, or compiled into bench/dist). */
export function repoRoot(): string {
  for (let dir = import.meta.dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'apps/api/package.json'))) return dir;
  }
  throw new Error('sluice repository root not found');
}
