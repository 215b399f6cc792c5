import type { TestProject } from 'vitest/node';
import { startTestPostgres } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's PostgreSQL server; null when it was skipped. */
    postgresUrl: string | null;
    /** Reason the PostgreSQL tests are skipped; null when the server runs. */
    postgresSkipReason: string | null;
  }
}

/** Starts one PostgreSQL server for the whole test run and stops it at the end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const postgres = await startTestPostgres();
  if ('skipped' in postgres) {
    project.provide('postgresUrl', null);
    project.provide('postgresSkipReason', postgres.skipped);
    return async () => undefined;
  }

  project.provide('postgresUrl', postgres.url);
  project.provide('postgresSkipReason', null);
  return () => postgres.stop();
}
