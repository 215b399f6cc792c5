import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../testing/dialects.ts';
import { freePort } from '../testing/services.ts';
import { dialectOf, openDatabase, redactUrl, type Database } from './database.ts';
import { DatabaseConnectionError, isUniqueViolation } from './errors.ts';

const logger = pino({ level: 'silent' });

describe('dialectOf', () => {
  it('detects PostgreSQL URLs', () => {
    expect(dialectOf('postgres://u@h/db')).toBe('pg');
    expect(dialectOf('postgresql://u@h/db')).toBe('pg');
  });

  it('treats paths as SQLite', () => {
    expect(dialectOf('/var/lib/metervision/db.sqlite')).toBe('sqlite');
    expect(dialectOf(':memory:')).toBe('sqlite');
  });

  it('redacts passwords', () => {
    expect(redactUrl('postgres://user:secret@host:5432/db')).toBe('postgres://user:***@host:5432/db');
    expect(redactUrl('postgres://user:sec ret@host/db')).toBe('postgres://user:***@host/db');
  });
});

describe('openDatabase', () => {
  it('rejects other URL schemes', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'metervision-db-url-'));
    const url = `mysql://u:secret@${workDir}/x`;
    await expect(openDatabase({ url, logger })).rejects.toThrow(`Invalid database URL "mysql://u:***@${workDir}/x": mysql:// is not supported`);
    expect(existsSync(join(workDir, 'x'))).toBe(false);
    rmSync(workDir, { recursive: true, force: true });
  });

  it('names an unreachable PostgreSQL', async () => {
    // freePort closes its listener again, so connections to the port are refused.
    const port = await freePort();

    const opened = openDatabase({ url: `postgresql://mv:secret@127.0.0.1:${port}/mv`, logger });
    await expect(opened).rejects.toBeInstanceOf(DatabaseConnectionError);
    await expect(opened).rejects.toThrow(
      `cannot connect to the PostgreSQL database at postgresql://mv:***@127.0.0.1:${port}/mv: connect ECONNREFUSED 127.0.0.1:${port}. Check DATABASE_URL and that the server runs.`,
    );
  });
});

describeEachDialect('database', (target) => {
  let database: Database;
  let url: string;

  beforeAll(async () => {
    url = await target.createUrl();
    database = await openDatabase({ url, logger });
  });

  afterAll(async () => {
    await database.close();
    target.cleanup();
  });

  it('migrates again without changes', async () => {
    const second = await openDatabase({ url, logger });
    await second.close();
  });

  it('returns the same value types', async () => {
    const { organizations } = database.tables;
    const [row] = await database.db.insert(organizations).values({ name: 'types' }).returning();
    expect(row!.createdAt).toBeInstanceOf(Date);
    expect(typeof row!.id).toBe('number');
  });

  it('commits a transaction', async () => {
    const { organizations } = database.tables;
    await database.transaction(async (tx) => {
      await tx.insert(organizations).values({ name: 'committed' });
    });
    const rows = await database.db.select().from(organizations);
    expect(rows.map((row) => row.name)).toContain('committed');
  });

  it('rolls back a failed transaction', async () => {
    const { organizations } = database.tables;
    const attempt = database.transaction(async (tx) => {
      await tx.insert(organizations).values({ name: 'rolled back' });
      await tx.insert(organizations).values({ name: 'rolled back' });
    });
    await expect(attempt).rejects.toSatisfy(isUniqueViolation);

    const rows = await database.db.select().from(organizations);
    expect(rows.map((row) => row.name)).not.toContain('rolled back');
  });

  it('runs transactions one after another', async () => {
    const { organizations } = database.tables;
    const names = ['t1', 't2', 't3', 't4'];
    await Promise.all(names.map((name) => database.transaction(async (tx) => tx.insert(organizations).values({ name }))));
    const rows = await database.db.select().from(organizations);
    expect(rows.filter((row) => names.includes(row.name))).toHaveLength(4);
  });
});
