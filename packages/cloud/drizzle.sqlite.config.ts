import { defineConfig } from 'drizzle-kit';

// Generate with `flock /tmp/metervision-migrations.lock pnpm --filter @metervision/cloud db:generate`.
export default defineConfig({
  dialect: 'sqlite',
  schema: ['./src/db/schema.sqlite.ts', './src/installations/schema.sqlite.ts'],
  out: './drizzle/sqlite',
});
