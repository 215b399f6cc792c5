import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getTableConfig as getPgTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as getSqliteTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { pgTables as pgSchema, sqliteTables as sqliteSchema } from './database.ts';

const MIGRATIONS = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/** Reads the snapshot drizzle-kit wrote with the newest committed migration of one dialect. */
function latestSnapshot(dialect: 'sqlite' | 'pg'): Record<string, unknown> {
  const folder = join(MIGRATIONS, dialect, 'meta');
  const newest = readdirSync(folder)
    .filter((file) => file.endsWith('_snapshot.json'))
    .sort()
    .at(-1)!;
  return JSON.parse(readFileSync(join(folder, newest), 'utf8')) as Record<string, unknown>;
}

function describeTables(tables: Record<string, unknown>, config: (table: never) => { name: string; columns: { name: string; notNull: boolean; primary: boolean }[]; indexes: { config: { name: string } }[] }) {
  return Object.values(tables)
    .map((table) => config(table as never))
    .map((table) => ({
      name: table.name,
      columns: table.columns.map((column) => `${column.name}${column.notNull ? ' not null' : ''}${column.primary ? ' pk' : ''}`).sort(),
      indexes: table.indexes.map((index) => index.config.name).sort(),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe('database schema', () => {
  it('matches the committed SQLite migrations', async () => {
    const kit = await import('drizzle-kit/api');
    const current = await kit.generateSQLiteDrizzleJson(sqliteSchema);
    const statements = await kit.generateSQLiteMigration(latestSnapshot('sqlite') as never, current);
    expect(statements, 'run `flock /tmp/metervision-migrations.lock pnpm --filter @metervision/cloud db:generate`').toEqual([]);
  });

  it('matches the committed PostgreSQL migrations', async () => {
    const kit = await import('drizzle-kit/api');
    const current = kit.generateDrizzleJson(pgSchema);
    const statements = await kit.generateMigration(latestSnapshot('pg') as never, current);
    expect(statements, 'run `flock /tmp/metervision-migrations.lock pnpm --filter @metervision/cloud db:generate`').toEqual([]);
  });

  it('declares the same tables on both dialects', () => {
    const pg = describeTables(pgSchema, (table: PgTable) => getPgTableConfig(table) as never);
    const sqlite = describeTables(sqliteSchema, (table: SQLiteTable) => getSqliteTableConfig(table) as never);
    expect(sqlite).toEqual(pg);
  });
});
