import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dirs.js';

// Registered before the test file's own hooks, so it runs after them: the servers the file
// started, and the data directories they wrote, are stopped by then. A run of the whole suite
// otherwise leaves several GB of data directories in tmp.
afterAll(removeTempDirs);
