import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../testing/dialects.ts';
import { dialectOf, openDatabase, redactUrl, type Database } from './database.ts';
import { isUniqueViolation } from './errors.ts';

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
