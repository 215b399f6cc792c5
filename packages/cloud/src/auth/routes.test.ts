import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, TEST_JWT_SECRET, type TestApp } from '../testing/app.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { seed, type Seed } from '../testing/seed.ts';

describeEachDialect('authentication', (target) => {
  let api: TestApp;
  let data: Seed;
  const secret = new TextEncoder().encode(TEST_JWT_SECRET);

  beforeAll(async () => {
    api = await createTestApp({ databaseUrl: await target.createUrl(), dataDir: target.dataDir });
    data = await seed(api.database, api.repos);
  });

  afterAll(async () => {
    await api.close();
    target.cleanup();
  });

  const me = (token: string) => api.request('/users/me', { token });
  const signed = (claims: { sub?: string; iss?: string; aud?: string; exp?: number }, key = secret) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub ?? '1')
      .setIssuer(claims.iss ?? 'metervision')
      .setAudience(claims.aud ?? 'metervision-api')
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? '1h')
      .sign(key);

  it('issues a bearer token', async () => {
    const response = await api.request('/token', { method: 'POST', body: new URLSearchParams({ username: data.platform.super_admin, password: data.password }) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; token_type: string };
    expect(body.token_type).toBe('bearer');
    expect(body.access_token.split('.')).toHaveLength(3);
  });

  it('accepts the multipart form', async () => {
    const form = new FormData();
    form.set('username', data.platform.user);
    form.set('password', data.password);
    const response = await api.request('/token', { method: 'POST', body: form });
    expect(response.status).toBe(200);
  });

  it('answers wrong password and unknown user alike', async () => {
    const wrong = await api.request('/token', { method: 'POST', body: new URLSearchParams({ username: data.platform.user, password: 'nope' }) });
    const unknown = await api.request('/token', { method: 'POST', body: new URLSearchParams({ username: 'nobody', password: 'nope' }) });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('rejects a missing field with 422', async () => {
    const response = await api.request('/token', { method: 'POST', body: new URLSearchParams({ username: 'someone' }) });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { detail: { loc: string[] }[] };
    expect(body.detail[0]!.loc).toEqual(['body', 'password']);
  });

  it('returns the profile with memberships', async () => {
    const organization = data.organizations[0];
    const token = await api.login(organization.members.manager, data.password);
    const response = await me(token);
    expect(response.status).toBe(200);
    const profile = (await response.json()) as { username: string; platform_role: string; memberships: unknown[] };
    expect(profile.username).toBe(organization.members.manager);
    expect(profile.platform_role).toBe('user');
    expect(profile.memberships).toEqual([{ organization_id: organization.id, organization_name: organization.name, role: 'manager' }]);
  });

  it('rejects a missing token', async () => {
    const response = await api.request('/users/me');
    expect(response.status).toBe(401);
    const { detail } = (await response.json()) as { detail: string };
    expect(detail).toMatch(/^Not authenticated: /);
    expect(detail).toContain('POST /token');
  });

  it('advises signing in again', async () => {
    const response = await me('not-a-jwt');
    expect(response.status).toBe(401);
    const { detail } = (await response.json()) as { detail: string };
    expect(detail).toMatch(/^Could not validate credentials: /);
    expect(detail).toContain('sign in again with POST /token');
  });

  it('rejects a tampered token', async () => {
    const token = await api.login(data.platform.user, data.password);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: '1' })).toString('base64url');
    expect((await me(`${header}.${forged}.${signature}`)).status).toBe(401);
  });

  it('rejects an expired token', async () => {
    const expired = await signed({ exp: Math.floor(Date.now() / 1000) - 60 });
    expect((await me(expired)).status).toBe(401);
  });

  it('rejects alg none', async () => {
    const unsigned = new UnsecuredJWT({}).setSubject('1').setIssuer('metervision').setAudience('metervision-api').setIssuedAt().setExpirationTime('1h').encode();
    expect((await me(unsigned)).status).toBe(401);
  });

  it('rejects another signing key', async () => {
    const other = new TextEncoder().encode('another-signing-key-that-is-long-enough-0123456789');
    expect((await me(await signed({}, other))).status).toBe(401);
  });

  it('rejects wrong issuer and audience', async () => {
    expect((await me(await signed({ iss: 'someone-else' }))).status).toBe(401);
    expect((await me(await signed({ aud: 'another-api' }))).status).toBe(401);
  });

  it('accepts a correctly signed token', async () => {
    expect((await me(await signed({ sub: '1' }))).status).toBe(200);
  });

  it('rejects non-canonical subjects', async () => {
    for (const sub of ['1.0', ' 1', '1 ', '0x1', '01', '+1', '1e0', '0', '-1', '', '99999999999999999999']) {
      expect((await me(await signed({ sub }))).status, `sub ${JSON.stringify(sub)}`).toBe(401);
    }
  });

  it('rejects a numeric subject', async () => {
    const token = await new SignJWT({ sub: 1 as unknown as string })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('metervision')
      .setAudience('metervision-api')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(secret);
    expect((await me(token)).status).toBe(401);
  });

  it('rejects a token of a deleted user', async () => {
    expect((await me(await signed({ sub: '999999' }))).status).toBe(401);
  });
});
