import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, TEST_JWT_SECRET, type TestApp } from '../testing/app.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { seed, type Seed } from '../testing/seed.ts';
import { PASSWORD_CHANGED_MESSAGE } from './users.routes.ts';

describeEachDialect('token revocation', (target) => {
  let api: TestApp;
  let data: Seed;
  let superAdmin: string;
  const secret = new TextEncoder().encode(TEST_JWT_SECRET);

  beforeAll(async () => {
    api = await createTestApp({ databaseUrl: await target.createUrl(), dataDir: target.dataDir });
    data = await seed(api.database, api.repos, 'tr');
    superAdmin = await api.login(data.platform.super_admin, data.password);
  });

  afterAll(async () => {
    await api.close();
    target.cleanup();
  });

  const json = { 'content-type': 'application/json' };
  const me = (token: string) => api.request('/users/me', { token });
  const changePassword = (token: string, current: string, next: string) =>
    api.request('/users/me/password', { method: 'POST', token, headers: json, body: JSON.stringify({ current_password: current, new_password: next }) });
  const patch = (userId: number, body: unknown) => api.request(`/api/users/${userId}`, { method: 'PATCH', token: superAdmin, headers: json, body: JSON.stringify(body) });
  const userOf = async (username: string) => (await api.repos.users.findByUsername(username))!;
  /** Signs a one-hour token for user 1 with extra `claims`, issued at `issuedAtSeconds`. */
  const signUserOneToken = (claims: Record<string, unknown>, issuedAtSeconds = Math.floor(Date.now() / 1000)) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('1')
      .setIssuer('metervision')
      .setAudience('metervision-api')
      .setIssuedAt(issuedAtSeconds)
      .setExpirationTime('1h')
      .sign(secret);

  it('ends every session on password change', async () => {
    const username = data.organizations[0].members.installer;
    const first = await api.login(username, data.password);
    const second = await api.login(username, data.password);

    const response = await changePassword(first, data.password, 'a brand new password');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: PASSWORD_CHANGED_MESSAGE });

    expect((await me(first)).status).toBe(401);
    expect((await me(second)).status).toBe(401);
  });

  it('accepts a login right after', async () => {
    const username = data.organizations[0].members.manager;
    const token = await api.login(username, data.password);
    expect((await changePassword(token, data.password, 'another new password')).status).toBe(200);

    const fresh = await api.login(username, 'another new password');
    expect((await me(fresh)).status).toBe(200);
  });

  it('rejects a token of the same second', async () => {
    const username = data.organizations[0].members.viewer;
    const token = await api.login(username, data.password);
    expect((await changePassword(token, data.password, 'a third new password')).status).toBe(200);

    // A token with only the whole-second `iat`, issued in the second of the change.
    const user = await userOf(username);
    const changedAtSeconds = Math.floor(user.tokensValidAfter!.getTime() / 1000);
    const sameSecond = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(user.id))
      .setIssuer('metervision')
      .setAudience('metervision-api')
      .setIssuedAt(changedAtSeconds)
      .setExpirationTime('1h')
      .sign(secret);
    expect((await me(sameSecond)).status).toBe(401);
  });

  it('rejects a mismatched iat_ms', async () => {
    const now = Math.floor(Date.now() / 1000);
    const withIssuedAtMs = (issuedAtMs: unknown) => signUserOneToken({ iat_ms: issuedAtMs }, now);

    expect((await me(await withIssuedAtMs(now * 1000 + 500))).status).toBe(200);
    for (const issuedAtMs of [(now + 1) * 1000, (now - 1) * 1000, String(now * 1000), now * 1000 + 0.5]) {
      expect((await me(await withIssuedAtMs(issuedAtMs))).status, `iat_ms ${JSON.stringify(issuedAtMs)}`).toBe(401);
    }
  });

  it('rejects a revoked token id', async () => {
    const username = data.organizations[1].members.manager;
    const token = await api.login(username, data.password);
    const other = await api.login(username, data.password);
    const { jti, exp } = decodeJwt(token);
    expect(jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(decodeJwt(other).jti).not.toBe(jti);

    await api.repos.revokedTokens.revoke(jti!, new Date(exp! * 1000));

    expect((await me(token)).status).toBe(401);
    expect((await me(other)).status).toBe(200);
  });

  it('rejects a malformed jti', async () => {
    const withTokenId = (tokenId: unknown) => signUserOneToken({ jti: tokenId });

    expect((await me(await withTokenId('0b5c6f3e-8d2a-4c1b-9e7f-123456789abc'))).status).toBe(200);
    for (const tokenId of ['', 'not-a-uuid', 42, '0B5C6F3E-8D2A-4C1B-9E7F-123456789ABC']) {
      expect((await me(await withTokenId(tokenId))).status, `jti ${JSON.stringify(tokenId)}`).toBe(401);
    }
  });

  it('ends sessions on deactivation', async () => {
    const username = data.organizations[1].members.viewer;
    const token = await api.login(username, data.password);
    const user = await userOf(username);

    expect((await patch(user.id, { is_active: false })).status).toBe(200);
    expect((await patch(user.id, { is_active: true })).status).toBe(200);

    expect((await me(token)).status).toBe(401);
    expect((await me(await api.login(username, data.password))).status).toBe(200);
  });

  it('ends sessions on password reset', async () => {
    const username = data.organizations[1].members.installer;
    const token = await api.login(username, data.password);

    expect((await patch((await userOf(username)).id, { password: 'reset by the admin' })).status).toBe(200);

    expect((await me(token)).status).toBe(401);
    expect((await me(await api.login(username, 'reset by the admin'))).status).toBe(200);
  });

  it('keeps sessions on profile changes', async () => {
    const username = data.organizations[1].members.manager;
    const token = await api.login(username, data.password);

    expect((await patch((await userOf(username)).id, { full_name: 'Renamed Manager' })).status).toBe(200);

    expect((await me(token)).status).toBe(200);
  });
});
