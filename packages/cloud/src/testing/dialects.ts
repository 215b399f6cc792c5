import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, inject } from 'vitest';
import type { Dialect } from '../db/database.ts';
import { createTestDatabase } from './postgres.ts';

/** A database for one test file: a SQLite file in a temp folder, or a fresh PostgreSQL database. */
export interface TestDatabaseTarget {
  dialect: Dialect;
  /** Creates the database and returns its URL. */
  createUrl(): Promise<string>;
  /** A temp folder for data (images, keys), removed by `cleanup`. */
  dataDir: string;
  cleanup(): void;
}

function target(dialect: Dialect): TestDatabaseTarget {
  const dataDir = mkdtempSync(join(tmpdir(), `metervision-${dialect}-`));
  return {
    dialect,
    dataDir,
    createUrl: async () => (dialect === 'sqlite' ? join(dataDir, 'test.db') : createTestDatabase(inject('postgresUrl')!)),
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

let warned = false;

/**
 * Declares the same suite once per dialect: SQLite always, PostgreSQL when the test run's
 * server is up (skipped with the reason otherwise).
 *
 * @example
 * describeEachDialect('meters repository', (db) => { beforeAll(async () => { url = await db.createUrl(); }); … });
 */
export function describeEachDialect(name: string, suite: (target: TestDatabaseTarget) => void): void {
  describe(`${name} (sqlite)`, () => suite(target('sqlite')));

  const skipReason = inject('postgresSkipReason');
  if (skipReason) {
    if (!warned) console.warn(`Skipping PostgreSQL suites: ${skipReason}`);
    warned = true;
    describe.skip(`${name} (pg): ${skipReason}`, () => undefined);
    return;
  }
  describe(`${name} (pg)`, () => suite(target('pg')));
}
