import { afterAll, afterEach, beforeEach } from 'vitest';
import { markTestBoundary, stopFileProcesses, stopTestProcesses } from './test-processes.js';

// Registered after remove-temp-dirs.ts and before the file's own hooks, so these "after" hooks
// run after the file's (which stop their servers gracefully when they can) and before the data
// directories go. They run after a failed or timed-out test too: whatever it started dies with it.
beforeEach(() => markTestBoundary(true));
afterEach(async () => {
  markTestBoundary(false);
  await stopTestProcesses();
});
afterAll(stopFileProcesses);
