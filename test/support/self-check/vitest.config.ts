import { defineConfig } from 'vitest/config';

/**
 * A run of its own for test/process-cleanup.test.ts: the suite's process handling (setup file and
 * end check) around a file that times out with processes running and leaves one the hooks cannot see.
 */
export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/support/self-check/*.check.ts'],
    // long enough for the first test to start its processes on a busy machine, short enough to wait for
    testTimeout: 10_000,
    setupFiles: ['test/support/stop-test-processes.ts'],
    globalSetup: ['test/support/process-check-setup.ts'],
  },
});
