import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertNodeVersion } from './startup-checks.js';
import { tempDir } from '../../../test/support/temp-dirs.js';

describe('assertNodeVersion', () => {
  const packageJson = join(tempDir('sluice-engines-'), 'package.json');
  writeFileSync(packageJson, JSON.stringify({ engines: { node: '>=20.19.0' } }));

  it('accepts the engines minimum and anything newer', () => {
    for (const version of ['20.19.0', '20.19.5', '20.20.0', '22.0.0'])
      expect(() => assertNodeVersion(packageJson, version)).not.toThrow();
  });

  it('refuses anything older, naming the range', () => {
    for (const version of ['20.18.9', '20.9.0', '18.20.4']) {
      expect(() => assertNodeVersion(packageJson, version)).toThrow(
        expect.objectContaining({ code: 'node_too_old', message: expect.stringMatching(/>=20\.19\.0/) }),
      );
    }
  });
});
