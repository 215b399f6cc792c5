import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { seed, type Seed } from '../testing/seed.ts';

// Failed logins are limited per username and client address, wrong current passwords per user.
// The app trusts one proxy hop, so each request names its client address in X-Forwarded-For.

const dataDir = mkdtempSync(join(tmpdir(), 'metervision-login-limit-'));
let api: TestApp;
let data: Seed;

beforeAll(async () => {
  api = await createTestApp({
    databaseUrl: join(dataDir, 'login.db'),
    dataDir,
    overrides: { trustedProxyHops: 1, rateLimits: { loginFailures: { burst: 3, perMinute: 1 } } },
  });
  data = await seed(api.database, api.repos, 'limit');
});

afterAll(async () => {
  await api.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('POST /token failure limit', () => {
  const login = (username: string, password: string, address: string) =>
    api.request('/token', { method: 'POST', headers: { 'x-forwarded-for': address }, body: new URLSearchParams({ username, password }) });

  it('throttles repeated failures', async () => {
    const username = data.organizations[0].members.viewer;
    for (let attempt = 0; attempt < 3; attempt++) expect((await login(username, 'wrong password', '203.0.113.1')).status).toBe(401);

    const throttled = await login(username, data.password, '203.0.113.1');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('60');
    expect(await throttled.json()).toEqual({ detail: 'Too many failed logins: try again in 60 s' });
  });

  it('keys on username and address', async () => {
    const username = data.organizations[0].members.admin;
    for (let attempt = 0; attempt < 3; attempt++) await login(username, 'wrong password', '203.0.113.2');
    expect((await login(username, 'wrong password', '203.0.113.2')).status).toBe(429);

    expect((await login(username, data.password, '203.0.113.3')).status).toBe(200);
    expect((await login(data.organizations[0].members.manager, data.password, '203.0.113.2')).status).toBe(200);
  });

  it('limits failures per address', async () => {
    const address = '203.0.113.9';
    for (let attempt = 0; attempt < 20; attempt++) expect((await login(`spray-${attempt}`, 'guess', address)).status).toBe(401);

    expect((await login('spray-20', 'guess', address)).status).toBe(429);
    expect((await login(data.organizations[1].members.viewer, data.password, address)).status).toBe(429);
    expect((await login(data.organizations[1].members.viewer, data.password, '203.0.113.10')).status).toBe(200);
  });

  it('resets after a valid login', async () => {
    const username = data.organizations[0].members.installer;
    for (let attempt = 0; attempt < 2; attempt++) expect((await login(username, 'wrong password', '203.0.113.4')).status).toBe(401);
    expect((await login(username, data.password, '203.0.113.4')).status).toBe(200);

    for (let attempt = 0; attempt < 3; attempt++) expect((await login(username, 'wrong password', '203.0.113.4')).status).toBe(401);
    expect((await login(username, 'wrong password', '203.0.113.4')).status).toBe(429);
  });

  it('never throttles valid logins', async () => {
    const username = data.organizations[1].members.viewer;
    const responses = await Promise.all(Array.from({ length: 12 }, () => login(username, data.password, '203.0.113.5')));
    expect(responses.map((response) => response.status)).toEqual(Array(12).fill(200));
  });

  it('charges parallel failures in full', async () => {
    const username = data.organizations[1].members.admin;
    const responses = await Promise.all(Array.from({ length: 6 }, () => login(username, 'wrong password', '203.0.113.6')));
    expect(responses.map((response) => response.status)).toEqual(Array(6).fill(401));

    // Six failures against a burst of 3 at 1 per minute: 4 minutes until the next attempt.
    const throttled = await login(username, data.password, '203.0.113.6');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('240');
  });
});

describe('POST /users/me/password failure limit', () => {
  const changePassword = (token: string, current: string, address: string) =>
    api.request('/users/me/password', {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ current_password: current, new_password: 'a brand new password' }),
    });

  it('throttles wrong current passwords', async () => {
    const username = data.organizations[1].members.manager;
    const token = await api.login(username, data.password);
    for (let attempt = 0; attempt < 3; attempt++) expect((await changePassword(token, 'wrong password', '203.0.113.1')).status).toBe(422);

    const throttled = await changePassword(token, data.password, '203.0.113.1');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('60');
    expect(await throttled.json()).toEqual({ detail: 'Too many wrong current passwords: try again in 60 s' });
    expect(await api.login(username, data.password)).toBeTruthy();
  });

  it('keys on the user alone', async () => {
    const token = await api.login(data.organizations[1].members.installer, data.password);
    for (let attempt = 0; attempt < 3; attempt++) await changePassword(token, 'wrong password', `198.51.100.${attempt}`);
    expect((await changePassword(token, 'wrong password', '198.51.100.99')).status).toBe(429);

    const other = await api.login(data.platform.user, data.password);
    expect((await changePassword(other, 'wrong password', '198.51.100.99')).status).toBe(422);
  });

  it('resets after a successful change', async () => {
    const username = data.platform.platform_manager;
    const token = await api.login(username, data.password);
    for (let attempt = 0; attempt < 2; attempt++) expect((await changePassword(token, 'wrong password', '203.0.113.7')).status).toBe(422);
    expect((await changePassword(token, data.password, '203.0.113.7')).status).toBe(200);

    const fresh = await api.login(username, 'a brand new password');
    for (let attempt = 0; attempt < 3; attempt++) expect((await changePassword(fresh, 'wrong password', '203.0.113.7')).status).toBe(422);
    expect((await changePassword(fresh, 'wrong password', '203.0.113.7')).status).toBe(429);
  });
});
