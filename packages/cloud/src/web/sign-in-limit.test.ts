import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { seed, type Seed } from '../testing/seed.ts';

// The dashboard's `POST /login` and the API's `POST /token` count failed logins in one bucket
// per username and client address. The app trusts one proxy hop, so each request names its
// client address in X-Forwarded-For.

const ORIGIN = 'http://localhost';

describe('POST /login failure limit', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'metervision-sign-in-limit-'));
  let api: TestApp;
  let data: Seed;

  beforeAll(async () => {
    api = await createTestApp({
      databaseUrl: join(dataDir, 'sign-in.db'),
      dataDir,
      overrides: { trustedProxyHops: 1, rateLimits: { loginFailures: { burst: 3, perMinute: 1 } } },
    });
    data = await seed(api.database, api.repos, 'sign-in-limit');
  });

  afterAll(async () => {
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const signIn = (username: string, password: string, address: string) =>
    api.request('/login', { method: 'POST', headers: { origin: ORIGIN, 'x-forwarded-for': address }, body: new URLSearchParams({ username, password, next: '/ui/meters' }) });

  const token = (username: string, password: string, address: string) =>
    api.request('/token', { method: 'POST', headers: { 'x-forwarded-for': address }, body: new URLSearchParams({ username, password }) });

  it('throttles repeated failed sign-ins', async () => {
    const username = data.organizations[0].members.viewer;
    for (let attempt = 0; attempt < 3; attempt++) expect((await signIn(username, 'wrong password', '198.51.100.1')).status).toBe(401);

    const throttled = await signIn(username, data.password, '198.51.100.1');
    const page = await throttled.text();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('60');
    expect(throttled.headers.get('set-cookie')).toBeNull();
    expect(page).toContain('Too many failed sign-ins: try again in 60 s');
    expect(page).toContain('<form method="post" action="/login"');
    expect(page).toContain('name="next" value="/ui/meters"');
  });

  it('applies /token lockouts to sign-in', async () => {
    const username = data.organizations[0].members.admin;
    for (let attempt = 0; attempt < 3; attempt++) expect((await token(username, 'wrong password', '198.51.100.2')).status).toBe(401);

    const throttled = await signIn(username, data.password, '198.51.100.2');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('60');
  });

  it('applies sign-in lockouts to /token', async () => {
    const username = data.organizations[0].members.manager;
    for (let attempt = 0; attempt < 3; attempt++) expect((await signIn(username, 'wrong password', '198.51.100.3')).status).toBe(401);

    const throttled = await token(username, data.password, '198.51.100.3');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('60');
  });

  it('counts both routes together', async () => {
    const username = data.organizations[0].members.installer;
    expect((await signIn(username, 'wrong password', '198.51.100.4')).status).toBe(401);
    expect((await token(username, 'wrong password', '198.51.100.4')).status).toBe(401);
    expect((await signIn(username, 'wrong password', '198.51.100.4')).status).toBe(401);

    expect((await signIn(username, data.password, '198.51.100.4')).status).toBe(429);
    expect((await token(username, data.password, '198.51.100.4')).status).toBe(429);
  });

  it('keys on username and address', async () => {
    const username = data.organizations[1].members.viewer;
    for (let attempt = 0; attempt < 3; attempt++) await signIn(username, 'wrong password', '198.51.100.5');
    expect((await signIn(username, data.password, '198.51.100.5')).status).toBe(429);

    expect((await signIn(username, data.password, '198.51.100.6')).status).toBe(303);
    expect((await signIn(data.organizations[1].members.admin, data.password, '198.51.100.5')).status).toBe(303);
  });

  it('resets after a sign-in', async () => {
    const username = data.organizations[1].members.manager;
    for (let attempt = 0; attempt < 2; attempt++) expect((await signIn(username, 'wrong password', '198.51.100.7')).status).toBe(401);
    expect((await signIn(username, data.password, '198.51.100.7')).status).toBe(303);

    for (let attempt = 0; attempt < 3; attempt++) expect((await signIn(username, 'wrong password', '198.51.100.7')).status).toBe(401);
    expect((await signIn(username, 'wrong password', '198.51.100.7')).status).toBe(429);
  });
});
