import { defineConfig } from 'vitest/config';

// Each package holds its own vitest.config.ts; this file only lists them.
export default defineConfig({
  test: {
    projects: ['packages/*', 'firmware-sim', 'test'],
  },
});
