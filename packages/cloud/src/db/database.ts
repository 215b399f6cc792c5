import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Logger } from 'pino';
import * as installationsPgSchema from '../installations/schema.pg.ts';
import * as installationsSqliteSchema from '../installations/schema.sqlite.ts';
import * as pgSchema from './schema.pg.ts';
import * as sqliteSchema from './schema.sqlite.ts';
import { DatabaseConnectionError } from './errors.ts';
import { databaseUrlProblem, dialectOf, redactUrl, type Dialect } from './url.ts';

export { dialectOf, redactUrl, type Dialect };

/** Every PostgreSQL table: the core schema and the installation workflow's (`src/installations/schema.pg.ts`). */
export const pgTables = { ...pgSchema, ...installationsPgSchema };
/** Every SQLite table, mirroring `pgTables` column for column. */
export const sqliteTables = { ...sqliteSchema, ...installationsSqliteSchema };

/** The tables as repositories see them; `schema.sqlite.ts` mirrors them column for column. */
export type Tables = typeof pgTables;

/**
 * Query interface shared by both dialects, typed as the PostgreSQL database. On SQLite the object
 * is a better-sqlite3 drizzle database over the SQLite tables, and its builders take the same
 * calls (select, insert … onConflictDoNothing, update, delete, returning). Repositories use only
 * that common subset, and every repository test runs on both dialects to prove it.
 */
export type Db = NodePgDatabase<Tables>;

/** An open database with its dialect, tables and transaction helper. */
export interface Database {
  readonly dialect: Dialect;
  readonly db: Db;
  readonly tables: Tables;
  /** Database URL with any password removed, for logs. */
  readonly displayUrl: string;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * Keep the callback to database calls; it holds the SQLite write lock while it runs.
   */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A file path (SQLite, created when missing), `:memory:`, or a `postgres://` URL. */
  url: string;
  logger: Logger;
  /** Apply the committed migrations before returning. Default true. */
  migrate?: boolean;
  /** Connections in the PostgreSQL pool. Default 10. */
  poolSize?: number;
}

const MIGRATIONS_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/** Arbitrary constant that serialises migrations of several cloud nodes starting at once. */
const MIGRATION_LOCK_KEY = 73_112_001;

/**
 * Opens the database `url` names and migrates it. Throws for a URL of another scheme (such as
 * `mysql://`), and a `DatabaseConnectionError` when PostgreSQL cannot be reached.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const logger = options.logger.child({ module: 'database' });
  const problem = databaseUrlProblem(options.url);
  if (problem) throw new Error(`Invalid database URL ${JSON.stringify(redactUrl(options.url))}: ${problem}.`);

  const database = dialectOf(options.url) === 'pg' ? await openPostgres(options) : openSqlite(options);

  logger.info({ dialect: database.dialect, url: database.displayUrl }, 'database opened');
  return database;
}

function openSqlite(options: OpenDatabaseOptions): Database {
  const path = options.url.replace(/^(sqlite|file):(\/\/)?/i, '');
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });

  const client = new BetterSqlite3(path);
  client.pragma('journal_mode = WAL');
  client.pragma('foreign_keys = ON');
  client.pragma('busy_timeout = 5000');
  client.pragma('synchronous = NORMAL');

  const db = drizzleSqlite({ client, schema: sqliteTables });
  if (options.migrate !== false) migrateSqlite(db, { migrationsFolder: resolve(MIGRATIONS_ROOT, 'sqlite') });

  const lock = new AsyncLock();
  return {
    dialect: 'sqlite',
    db: db as unknown as Db,
    tables: sqliteTables as unknown as Tables,
    displayUrl: path,
    transaction: (work) => lock.run(() => runSqliteTransaction(client, db as unknown as Db, work)),
    close: async () => {
      await lock.run(async () => client.close());
    },
  };
}

// better-sqlite3's own transaction() takes only a synchronous callback, so an async unit of work
// is wrapped in BEGIN IMMEDIATE / COMMIT by hand. The lock keeps two such units from interleaving.
// NOTE: the connection is shared, so a statement another request issues while `work` awaits
// joins this transaction. Callbacks must therefore stay short and contain only database calls.
async function runSqliteTransaction<T>(client: BetterSqlite3.Database, db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  client.exec('BEGIN IMMEDIATE');
  try {
    const result = await work(db);
    client.exec('COMMIT');
    return result;
  } catch (error) {
    if (client.inTransaction) client.exec('ROLLBACK');
    throw error;
  }
}

async function openPostgres(options: OpenDatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  pool.on('error', (error) => options.logger.error({ err: error }, 'idle PostgreSQL connection failed'));

  const db = drizzlePg({ client: pool, schema: pgTables });
  try {
    // The first connection is made here, so a wrong URL or a stopped server fails the start.
    const client = await pool.connect().catch((error: unknown) => {
      throw new DatabaseConnectionError(redactUrl(options.url), error);
    });
    try {
      if (options.migrate !== false) await migratePostgres(client);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }

  return {
    dialect: 'pg',
    db,
    tables: pgTables,
    displayUrl: redactUrl(options.url),
    transaction: (work) => db.transaction((tx) => work(tx as unknown as Db)),
    close: () => pool.end(),
  };
}

async function migratePostgres(client: pg.PoolClient): Promise<void> {
  try {
    // Several nodes may start together against one database: one migrates, the others wait.
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await migratePg(drizzlePg({ client }), { migrationsFolder: resolve(MIGRATIONS_ROOT, 'pg') });
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
  }
}

/** Runs async functions one at a time, in call order. */
class AsyncLock {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work, work);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
