#!/usr/bin/env node
// The `sluice` command: a committed shim, so the bin exists (and is executable) before the build.
import('../dist/cli.js').catch((error) => {
  process.stderr.write(
    `sluice: ${error.code === 'ERR_MODULE_NOT_FOUND' ? 'not built yet: run `npm run build` first' : error.message}\n`,
  );
  process.exit(1);
});
