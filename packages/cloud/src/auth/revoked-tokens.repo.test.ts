import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { RevokedTokensRepo } from './revoked-tokens.repo.ts';

describeEachDialect('revoked tokens repository', (target) => {
  let database: Database;
  let revokedTokens: RevokedTokensRepo;
  const now = new Date('2026-06-01T12:00:00Z');
  const minutesFromNow = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

  beforeAll(async () => {
    database = await openDatabase({ url: await target.createUrl(), logger: pino({ level: 'silent' }) });
    revokedTokens = new RevokedTokensRepo(database);
  });

  afterAll(async () => {
    await database.close();
    target.cleanup();
  });

  it('reports a revoked id', async () => {
    await revokedTokens.revoke('revoked-id', minutesFromNow(30), now);

    expect(await revokedTokens.isRevoked('revoked-id')).toBe(true);
    expect(await revokedTokens.isRevoked('other-id')).toBe(false);
  });

  it('accepts revoking twice', async () => {
    await revokedTokens.revoke('twice-id', minutesFromNow(30), now);
    await revokedTokens.revoke('twice-id', minutesFromNow(30), now);

    expect(await revokedTokens.isRevoked('twice-id')).toBe(true);
  });

  it('prunes only expired rows', async () => {
    const earlier = minutesFromNow(-10);
    await revokedTokens.revoke('expired-id', minutesFromNow(-1), earlier);
    await revokedTokens.revoke('expires-now-id', now, earlier);
    await revokedTokens.revoke('valid-id', minutesFromNow(1), earlier);

    expect(await revokedTokens.prune(now)).toBe(2);
    expect(await revokedTokens.isRevoked('expired-id')).toBe(false);
    expect(await revokedTokens.isRevoked('expires-now-id')).toBe(false);
    expect(await revokedTokens.isRevoked('valid-id')).toBe(true);
    expect(await revokedTokens.prune(now)).toBe(0);
  });

  it('prunes on each revoke', async () => {
    await revokedTokens.revoke('soon-expired-id', minutesFromNow(5), now);

    await revokedTokens.revoke('later-id', minutesFromNow(60), minutesFromNow(10));

    expect(await revokedTokens.isRevoked('soon-expired-id')).toBe(false);
    expect(await revokedTokens.isRevoked('later-id')).toBe(true);
  });
});
