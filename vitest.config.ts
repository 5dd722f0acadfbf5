import { defineConfig } from 'vitest/config';

/** Integration files that run a second time against a Redis Cluster (the rest start their own single Redis). */
const clusterFiles = [
  'test/ingest.test.ts',
  'test/commits.test.ts',
  'test/workspaces.test.ts',
  'test/large-files.test.ts',
  'test/paths-and-limits.test.ts',
  'test/bad-input.test.ts',
  'test/auth.test.ts',
  'test/rate-limits.test.ts',
  'test/worker-crash.test.ts',
  'test/spool-sweeper.test.ts',
  'test/staging-index.test.ts',
  'test/redis-cluster.test.ts',
  'test/quotas.test.ts',
  'test/metrics.test.ts',
  'test/dashboard.test.ts',
  'test/stage-hashes.test.ts',
  'test/digest-board.test.ts',
  'test/early-start.test.ts',
  'test/conformance/stock-client.test.ts',
  'test/conformance/resumable-upload.test.ts',
  'test/upload-claims.test.ts',
  'test/stock-routes.test.ts',
  'packages/repository/src/versions/content-buckets.test.ts',
  'packages/repository/src/redis/lua-commands.test.ts',
];

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    // bounds, not expectations: a busy machine (two cores shared with other work) is slow, not wrong
    testTimeout: 180_000,
    hookTimeout: 240_000,
    // e2e files start their own server processes; two at a time fit two cores.
    maxWorkers: 2,
    // hooks run as a stack: stop-test-processes's afterAll first, then the unhandled-error guard
    // reads what the stopped processes wrote, then remove-temp-dirs
    setupFiles: [
      'test/support/remove-temp-dirs.ts',
      'test/support/unhandled-guard.ts',
      'test/support/stop-test-processes.ts',
    ],
    projects: [
      {
        extends: true,
        test: {
          name: 'redis',
          include: [
            'packages/*/src/**/*.test.ts',
            'packages/*/test/**/*.test.ts',
            'apps/*/src/**/*.test.ts',
            'test/**/*.test.ts',
          ],
          exclude: ['test/redis-cluster.test.ts'],
          // the process check first: its teardown runs last, after the servers of the set-up are stopped
          globalSetup: ['test/support/process-check-setup.ts', 'test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'redis-cluster',
          include: clusterFiles,
          globalSetup: ['test/support/process-check-setup.ts', 'test/support/cluster-setup.ts'],
        },
      },
    ],
  },
});
