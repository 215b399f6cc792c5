import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { seed, type Seed } from '../testing/seed.ts';

describeEachDialect('user administration', (target) => {
  let api: TestApp;
  let data: Seed;
  let superAdmin: string;

  beforeAll(async () => {
    api = await createTestApp({ databaseUrl: await target.createUrl(), dataDir: target.dataDir });
    data = await seed(api.database, api.repos, 'ua');
    superAdmin = await api.login(data.platform.super_admin, data.password);
  });

  afterAll(async () => {
    await api.close();
    target.cleanup();
  });

  const patch = (userId: number, body: unknown, token = superAdmin) =>
    api.request(`/api/users/${userId}`, { method: 'PATCH', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const idOf = async (username: string) => (await api.repos.users.findByUsername(username))!.id;

  it('promotes a platform manager', async () => {
    const username = data.organizations[0].members.viewer;
    const response = await patch(await idOf(username), { platform_role: 'platform_manager' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ username, platform_role: 'platform_manager' });

    const token = await api.login(username, data.password);
    const organizations = (await (await api.request('/api/organizations/', { token })).json()) as unknown[];
    expect(organizations).toHaveLength(2);
  });

  it('locks out a deactivated user', async () => {
    const username = data.organizations[1].members.viewer;
    const token = await api.login(username, data.password);
    expect((await patch(await idOf(username), { is_active: false })).status).toBe(200);

    expect((await api.request('/users/me', { token })).status).toBe(401);
    const login = await api.request('/token', { method: 'POST', body: new URLSearchParams({ username, password: data.password }) });
    expect(login.status).toBe(401);
  });

  it('refuses self demotion', async () => {
    const response = await patch(await idOf(data.platform.super_admin), { platform_role: 'user' });
    expect(response.status).toBe(422);
  });

  it('changes the own password', async () => {
    const username = data.organizations[0].members.installer;
    const token = await api.login(username, data.password);
    const change = (current: string) =>
      api.request('/users/me/password', {
        method: 'POST',
        token,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ current_password: current, new_password: 'a brand new password' }),
      });

    expect((await change('wrong password')).status).toBe(422);
    expect((await change(data.password)).status).toBe(200);
    expect(await api.login(username, 'a brand new password')).toBeTruthy();
  });

  it('lists every user', async () => {
    const response = await api.request('/api/users/?limit=500', { token: superAdmin });
    const users = (await response.json()) as { username: string; password_hash?: string }[];
    expect(users.map((user) => user.username)).toContain(data.platform.user);
    expect(users.every((user) => user.password_hash === undefined)).toBe(true);
  });
});
