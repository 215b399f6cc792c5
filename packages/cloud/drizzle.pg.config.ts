import { defineConfig } from 'drizzle-kit';

// Generate with `flock /tmp/metervision-migrations.lock pnpm --filter @metervision/cloud db:generate`.
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/db/schema.pg.ts', './src/installations/schema.pg.ts'],
  out: './drizzle/pg',
});
