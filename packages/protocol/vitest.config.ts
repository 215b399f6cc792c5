import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@metervision/protocol',
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
