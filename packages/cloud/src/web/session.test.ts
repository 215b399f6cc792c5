import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { seed, type Seed } from '../testing/seed.ts';
import { SESSION_COOKIE } from './session.ts';

const ORIGIN = 'http://localhost';

describe('dashboard session', () => {
  let dataDir: string;
  let api: TestApp;
  let data: Seed;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'metervision-web-session-'));
    api = await createTestApp({ databaseUrl: join(dataDir, 'test.db'), dataDir });
    data = await seed(api.database, api.repos, 'web');
  });

  afterAll(async () => {
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = { origin: ORIGIN }) {
    return api.request(path, { method: 'POST', headers, body: new URLSearchParams(fields) });
  }

  async function signIn(username: string): Promise<string> {
    const response = await postForm('/login', { username, password: data.password, next: '/ui/meters' });
    expect(response.status).toBe(303);
    return response.headers.get('set-cookie')!.split(';')[0]!;
  }

  it('redirects signed-out visitors to sign-in', async () => {
    const response = await api.request('/ui/meters?q=acme');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login?next=%2Fui%2Fmeters%3Fq%3Dacme');
  });

  it('shows the sign-in form', async () => {
    const response = await api.request('/login?next=%2Fui%2Fmeters');
    const page = await response.text();
    expect(response.status).toBe(200);
    expect(page).toContain('<form method="post" action="/login"');
    expect(page).toContain('name="next" value="/ui/meters"');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('sets an HttpOnly SameSite cookie', async () => {
    const response = await postForm('/login', { username: data.organizations[0].members.viewer, password: data.password, next: '/ui/meters' });
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/ui/meters');
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=ey`));
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');
    expect(cookie).toContain('Max-Age=3600');
    expect(cookie).not.toContain('Secure');
  });

  it('marks the cookie Secure behind https', async () => {
    const response = await postForm('/login', { username: data.organizations[0].members.viewer, password: data.password }, { origin: 'https://localhost', 'x-forwarded-proto': 'https' });
    expect(response.status).toBe(303);
    expect(response.headers.get('set-cookie')).toContain('Secure');
  });

  it('rejects a wrong password', async () => {
    const response = await postForm('/login', { username: data.organizations[0].members.viewer, password: 'wrong password' });
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.text()).toContain('Incorrect username or password.');
  });

  it('rejects an empty form', async () => {
    const response = await postForm('/login', { username: '', password: '' });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('Enter a username and a password.');
  });

  it('rejects cross-site form posts', async () => {
    const fields = { username: data.organizations[0].members.viewer, password: data.password };
    const foreign = await postForm('/login', fields, { origin: 'http://attacker.example' });
    const crossSite = await postForm('/login', fields, { origin: 'http://attacker.example', 'sec-fetch-site': 'cross-site' });
    const bare = await postForm('/login', fields, {});

    for (const response of [foreign, crossSite, bare]) {
      expect(response.status).toBe(403);
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(await response.text()).toContain('This form was sent from another site');
    }
  });

  it('rejects a cross-site sign-out', async () => {
    const cookie = await signIn(data.organizations[0].members.viewer);
    const response = await postForm('/logout', {}, { origin: 'http://attacker.example', cookie });
    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('keeps redirects on this site', async () => {
    const unsafe = [
      '//attacker.example/',
      'https://attacker.example/',
      'javascript:alert(1)',
      'ui/meters',
      '/\\attacker.example',
      '/ui\\..\\\\attacker.example',
      '/\t/127.0.0.1:18999/x',
      '/\n/127.0.0.1:18999/x',
      '/\r\n/127.0.0.1:18999/x',
      '/\u0000/127.0.0.1:18999/x',
      '/\u007f/127.0.0.1:18999/x',
      '/ui/meters\u001b',
      '/.//attacker.example',
      '/%2e//attacker.example',
      '/a/..//attacker.example',
    ];
    for (const next of unsafe) {
      const response = await postForm('/login', { username: data.organizations[0].members.viewer, password: data.password, next });
      expect(response.status, JSON.stringify(next)).toBe(303);
      expect(response.headers.get('location'), JSON.stringify(next)).toBe('/');
    }
  });

  it('decodes then rejects encoded next', async () => {
    const credentials = new URLSearchParams({ username: data.organizations[0].members.viewer, password: data.password }).toString();
    for (const next of ['%2F%09%2F127.0.0.1%3A18999%2Fx', '/%0a/127.0.0.1:18999/x', '/%0D%0A/attacker.example', '/%5cattacker.example', '/%5C/attacker.example']) {
      const response = await api.request('/login', {
        method: 'POST',
        headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
        body: `${credentials}&next=${next}`,
      });
      expect(response.status, next).toBe(303);
      expect(response.headers.get('location'), next).toBe('/');
    }
  });

  it('ignores unsafe next when signed in', async () => {
    const cookie = await signIn(data.organizations[0].members.viewer);
    for (const next of ['%2F%09%2F127.0.0.1%3A18999%2Fx', '%2F%0A%2F127.0.0.1%3A18999%2Fx', '%2F%5Cattacker.example', '%2F%2Fattacker.example']) {
      const response = await api.request(`/login?next=${next}`, { headers: { cookie } });
      expect(response.status, next).toBe(303);
      expect(response.headers.get('location'), next).toBe('/');
    }
  });

  it('follows a local next path', async () => {
    const response = await postForm('/login', { username: data.organizations[0].members.viewer, password: data.password, next: '/ui/meters/X?y=1' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/ui/meters/X?y=1');

    const form = await (await api.request('/login?next=%2Fui%2Fmeters%2FX%3Fy%3D1')).text();
    expect(form).toContain('name="next" value="/ui/meters/X?y=1"');
  });

  it('percent-encodes a non-ASCII next', async () => {
    const response = await postForm('/login', { username: data.organizations[0].members.viewer, password: data.password, next: '/ui/meters?q=\u20ac\u2028' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/ui/meters?q=%E2%82%AC%E2%80%A8');
  });

  it('opens pages with the cookie', async () => {
    const cookie = await signIn(data.organizations[0].members.viewer);
    const response = await api.request('/ui/meters', { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toContain(data.organizations[0].meterSerial);
  });

  it('ignores a forged cookie', async () => {
    const response = await api.request('/ui/meters', { headers: { cookie: `${SESSION_COOKIE}=eyJhbGciOiJub25lIn0.e30.` } });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/login/);
  });

  it('API refuses the session cookie', async () => {
    const cookie = await signIn(data.organizations[0].members.viewer);
    const response = await api.request('/users/me', { headers: { cookie } });
    expect(response.status).toBe(401);
  });

  it('signs out by clearing the cookie', async () => {
    const cookie = await signIn(data.organizations[0].members.viewer);
    const response = await postForm('/logout', {}, { origin: ORIGIN, cookie });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login?signed_out=1');
    expect(response.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`));
  });

  it('revokes the token on sign-out', async () => {
    const cookie = await signIn(data.organizations[0].members.viewer);
    const token = cookie.slice(`${SESSION_COOKIE}=`.length);
    expect((await api.request('/users/me', { token })).status).toBe(200);

    expect((await postForm('/logout', {}, { origin: ORIGIN, cookie })).status).toBe(303);

    const page = await api.request('/ui/meters', { headers: { cookie } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toMatch(/^\/login/);
    expect((await api.request('/users/me', { token })).status).toBe(401);
  });

  it('keeps other sessions on sign-out', async () => {
    const username = data.organizations[0].members.viewer;
    const signedOut = await signIn(username);
    const other = await signIn(username);

    expect((await postForm('/logout', {}, { origin: ORIGIN, cookie: signedOut })).status).toBe(303);

    expect((await api.request('/ui/meters', { headers: { cookie: other } })).status).toBe(200);
  });

  it('clears a forged cookie on sign-out', async () => {
    const cookie = `${SESSION_COOKIE}=eyJhbGciOiJub25lIn0.e30.`;
    const response = await postForm('/logout', {}, { origin: ORIGIN, cookie });
    expect(response.status).toBe(303);
    expect(response.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`));
  });

  it('ends sessions on password change', async () => {
    const username = data.organizations[1].members.viewer;
    const cookie = await signIn(username);
    const user = (await api.repos.users.findByUsername(username))!;
    await api.repos.users.setPassword(user.id, user.passwordHash);

    const response = await api.request('/ui/meters', { headers: { cookie } });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/login/);

    const fresh = await signIn(username);
    expect((await api.request('/ui/meters', { headers: { cookie: fresh } })).status).toBe(200);
  });

  it('redirects signed-in users from sign-in', async () => {
    const cookie = await signIn(data.organizations[0].members.viewer);
    const response = await api.request('/login?next=%2Fui%2Fmeters', { headers: { cookie } });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/ui/meters');
  });
});
