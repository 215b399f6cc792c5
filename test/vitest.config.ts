import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@metervision/e2e',
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    // One PostgreSQL server for the run; suites declared with describeEachDialect use it.
    globalSetup: ['../packages/cloud/src/testing/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
