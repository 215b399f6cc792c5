import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StateFileError } from '../errors.ts';

export type AgentDatabase = Database.Database;

/** File name of the agent's SQLite database inside the state directory. */
export const DATABASE_FILE = 'agent.db';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE outbox (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     message_id TEXT NOT NULL UNIQUE,
     kind TEXT NOT NULL,
     topic TEXT NOT NULL,
     payload TEXT NOT NULL,
     bytes INTEGER NOT NULL,
     has_image INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX outbox_created_at ON outbox (created_at);
   CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE seen_files (key TEXT PRIMARY KEY, seen_at INTEGER NOT NULL);
   CREATE INDEX seen_files_seen_at ON seen_files (seen_at);`,
];

/**
 * Opens (and creates or migrates) the agent database in `stateDir`.
 *
 * WAL keeps every commit atomic across power loss: after a cut the database contains the last
 * committed transaction and nothing half-written. `synchronous = FULL` also syncs the WAL on each
 * commit, so a reading acknowledged as queued survives the cut; at one reading a minute the extra
 * fsync costs nothing on an SD card.
 *
 * Throws a {@link StateFileError} naming the file when it is not an SQLite database or is
 * damaged; the file is left in place because it may hold unsent readings.
 */
export function openAgentDatabase(stateDir: string): AgentDatabase {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = path.join(stateDir, DATABASE_FILE);
  const db = new Database(file);

  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    // Checkpoint often, so the WAL file stays small on a device that runs for months.
    db.pragma('wal_autocheckpoint = 256');
    migrate(db);
  } catch (error) {
    db.close();
    throw describeOpenError(error, file);
  }
  return db;
}

// SQLite reads the header only at the first statement, so a foreign or damaged file fails here.
function describeOpenError(error: unknown, file: string): unknown {
  const code = (error as { code?: unknown }).code;
  const fix = 'move it aside (it holds unsent readings) and start again';
  if (code === 'SQLITE_NOTADB') return new StateFileError(file, `${file} is not an SQLite database: ${fix}`, { cause: error });
  if (code === 'SQLITE_CORRUPT') return new StateFileError(file, `${file} is a damaged SQLite database: ${fix}`, { cause: error });
  return error;
}

function migrate(db: AgentDatabase): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version += 1) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
