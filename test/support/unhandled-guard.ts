import { afterAll } from 'vitest';
import { unhandledErrorLines } from './sluice-process.js';

// The guard of issue 26: a test file fails when a sluice process it started (startSluice) met an
// 'error' event nobody listened for or a rejection nobody handled, even where every assertion
// held (a process that dies after its last request is otherwise never noticed). Such a process
// logs one line with `"code":"unhandled_error"` before it exits (apps/sluice/src/exit-on-unhandled.ts);
// this reads every line its processes wrote. Registered before the test file's own hooks, so it
// runs after them, once the file has stopped its processes. The test runner's own process needs
// no guard: vitest fails a run with any unhandled error of its own.
afterAll(() => {
  const lines = unhandledErrorLines();
  if (lines.length > 0) throw new Error(`a sluice process met an unhandled error:\n${lines.join('\n')}`);
});
