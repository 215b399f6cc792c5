import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database.ts';
import { createRepositories, type Repositories } from '../repositories.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { ensureSuperAdmin } from './bootstrap.ts';
import { verifyPassword } from './passwords.ts';

describeEachDialect('ensureSuperAdmin', (target) => {
  let database: Database;
  let repos: Repositories;
  const options = { hashCost: 10, logger: pino({ level: 'silent' }) };

  beforeAll(async () => {
    database = await openDatabase({ url: await target.createUrl(), logger: options.logger });
    repos = createRepositories(database);
  });

  afterAll(async () => {
    await database.close();
    target.cleanup();
  });

  it('creates the admin once', async () => {
    expect(await ensureSuperAdmin(repos.users, { username: 'root', password: 'first password' }, options)).toBe(true);
    expect(await ensureSuperAdmin(repos.users, { username: 'root', password: 'second password' }, options)).toBe(false);
    const user = await repos.users.findByUsername('root');
    expect(user?.platformRole).toBe('super_admin');
    expect(await verifyPassword('first password', user!.passwordHash)).toBe(true);
  });

  it('survives nodes starting together', async () => {
    const admin = { username: 'racer', password: 'racing password' };
    const results = await Promise.all([1, 2, 3].map(() => ensureSuperAdmin(repos.users, admin, options)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('promotes an existing user', async () => {
    await repos.users.create({ username: 'plain', passwordHash: 'unused' });
    await ensureSuperAdmin(repos.users, { username: 'plain', password: 'ignored password' }, options);
    expect((await repos.users.findByUsername('plain'))?.platformRole).toBe('super_admin');
  });

  it('rejects a short password', async () => {
    await expect(ensureSuperAdmin(repos.users, { username: 'short', password: 'short' }, options)).rejects.toThrow(/at least 8/);
  });
});
