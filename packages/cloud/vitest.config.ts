import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@metervision/cloud',
    include: ['src/**/*.test.ts'],
    // One PostgreSQL server for the whole run; each test file creates its own database on it.
    globalSetup: ['src/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
