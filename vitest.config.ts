import { defineConfig } from 'vitest/config';

/** Integration files that run a second time against a Redis Cluster (the rest start their own single Redis). */
const clusterFiles = [
  'test/ingest.test.ts', 'test/commits.test.ts', 'test/workspaces.test.ts', 'test/large-files.test.ts',
  'test/paths-and-limits.test.ts', 'test/bad-input.test.ts', 'test/auth.test.ts', 'test/rate-limits.test.ts',
  'test/worker-crash.test.ts', 'test/spool-sweeper.test.ts', 'test/staging-index.test.ts', 'test/redis-cluster.test.ts',
  'test/quotas.test.ts', 'test/metrics.test.ts', 'test/dashboard.test.ts', 'test/stage-hashes.test.ts', 'test/digest-board.test.ts', 'test/early-start.test.ts',
  'test/conformance/stock-client.test.ts', 'test/conformance/resumable-upload.test.ts',
];

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // e2e files start their own server processes; two at a time fit two cores.
    maxWorkers: 2,
    setupFiles: ['test/support/remove-temp-dirs.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'redis',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/redis-cluster.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'redis-cluster',
          include: clusterFiles,
          globalSetup: ['test/support/cluster-setup.ts'],
        },
      },
    ],
  },
});
