import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { seed, type Seed, type SeededOrganization } from '../testing/seed.ts';

describeEachDialect('organization routes', (target) => {
  let api: TestApp;
  let data: Seed;
  let acme: SeededOrganization;
  let superAdmin: string;
  let admin: string;

  beforeAll(async () => {
    api = await createTestApp({ databaseUrl: await target.createUrl(), dataDir: target.dataDir });
    data = await seed(api.database, api.repos, 'og');
    acme = data.organizations[0];
    superAdmin = await api.login(data.platform.super_admin, data.password);
    admin = await api.login(acme.members.admin, data.password);
  });

  afterAll(async () => {
    await api.close();
    target.cleanup();
  });

  const post = (path: string, token: string, body: unknown) =>
    api.request(path, { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('creates an organization', async () => {
    const response = await post('/api/organizations/', superAdmin, { name: 'Initech', description: 'Printers' });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ name: 'Initech', description: 'Printers' });
  });

  it('rejects a duplicate name', async () => {
    const response = await post('/api/organizations/', superAdmin, { name: acme.name });
    expect(response.status).toBe(409);
  });

  it('lists my organizations with roles', async () => {
    const response = await api.request('/api/organizations/my-organizations', { token: admin });
    expect(await response.json()).toEqual([expect.objectContaining({ id: acme.id, role: 'admin' })]);
  });

  it('creates a user when assigning', async () => {
    const response = await post(`/api/organizations/${acme.id}/users`, admin, { username: 'new-installer', password: 'installer password', role: 'installer' });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ username: 'new-installer', role: 'installer', organization_id: acme.id });

    const token = await api.login('new-installer', 'installer password');
    const me = (await (await api.request('/users/me', { token })).json()) as { memberships: { role: string }[] };
    expect(me.memberships).toEqual([expect.objectContaining({ organization_id: acme.id, role: 'installer' })]);
  });

  it('stores no plain password', async () => {
    const user = await api.repos.users.findByUsername('new-installer');
    expect(user!.passwordHash).toMatch(/^scrypt\$/);
    expect(user!.passwordHash).not.toContain('installer password');
  });

  it('lets a super admin add anyone', async () => {
    const outsider = await api.repos.users.findByUsername(data.platform.user);
    const response = await post(`/api/organizations/${acme.id}/users`, superAdmin, { user_id: outsider!.id, role: 'viewer' });
    expect(response.status).toBe(201);
  });

  it('hides users of other tenants', async () => {
    const foreign = await api.repos.users.findByUsername(data.organizations[1].members.viewer);
    const platformAdmin = await api.repos.users.findByUsername(data.platform.super_admin);

    for (const user of [foreign!, platformAdmin!]) {
      const response = await post(`/api/organizations/${acme.id}/users`, admin, { user_id: user.id, role: 'viewer' });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ detail: `User ${user.id} not found` });
      expect(await api.repos.memberships.findMember(acme.id, user.id)).toBeNull();
    }
  });

  it('ignores organizations where the admin only views', async () => {
    const other = data.organizations[1];
    const acmeAdmin = await api.repos.users.findByUsername(acme.members.admin);
    const otherAdmin = await api.repos.users.findByUsername(other.members.admin);
    await api.repos.memberships.upsert(acmeAdmin!.id, other.id, 'viewer');

    const response = await post(`/api/organizations/${acme.id}/users`, admin, { user_id: otherAdmin!.id, role: 'viewer' });
    await api.repos.memberships.remove(acmeAdmin!.id, other.id);

    expect(response.status).toBe(404);
    expect(await api.repos.memberships.findMember(acme.id, otherAdmin!.id)).toBeNull();
  });

  it('rejects unknown ids like foreign ones', async () => {
    const response = await post(`/api/organizations/${acme.id}/users`, admin, { user_id: 999_999, role: 'viewer' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'User 999999 not found' });
  });

  it('moves a colleague between organizations', async () => {
    const created = await post('/api/organizations/', superAdmin, { name: 'Acme Labs' });
    const labs = (await created.json()) as { id: number };
    const acmeAdmin = await api.repos.users.findByUsername(acme.members.admin);
    const colleague = await api.repos.users.findByUsername(acme.members.viewer);
    expect((await post(`/api/organizations/${labs.id}/users`, superAdmin, { user_id: acmeAdmin!.id, role: 'admin' })).status).toBe(201);

    const response = await post(`/api/organizations/${labs.id}/users`, admin, { user_id: colleague!.id, role: 'installer' });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ user_id: colleague!.id, organization_id: labs.id, role: 'installer' });
  });

  it('changes the role of a member', async () => {
    const outsider = await api.repos.users.findByUsername(data.platform.user);
    const response = await post(`/api/organizations/${acme.id}/users`, admin, { user_id: outsider!.id, role: 'manager' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ role: 'manager' });
  });

  it('rejects user_id and username together', async () => {
    const response = await post(`/api/organizations/${acme.id}/users`, admin, { user_id: 1, username: 'x', password: 'long enough', role: 'viewer' });
    expect(response.status).toBe(422);
  });

  it('rejects a taken username', async () => {
    const response = await post(`/api/organizations/${acme.id}/users`, admin, { username: acme.members.viewer, password: 'long enough', role: 'viewer' });
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ detail: `Username ${JSON.stringify(acme.members.viewer)} is already taken: to add an existing user, send user_id instead` });
  });

  it('lists and removes members', async () => {
    const outsider = await api.repos.users.findByUsername(data.platform.user);
    const before = (await (await api.request(`/api/organizations/${acme.id}/users`, { token: admin })).json()) as { user_id: number }[];
    expect(before.map((member) => member.user_id)).toContain(outsider!.id);

    const removed = await api.request(`/api/organizations/${acme.id}/users/${outsider!.id}`, { method: 'DELETE', token: admin });
    expect(removed.status).toBe(204);
    const again = await api.request(`/api/organizations/${acme.id}/users/${outsider!.id}`, { method: 'DELETE', token: admin });
    expect(again.status).toBe(404);
  });

  it('answers 404 for a missing organization', async () => {
    const response = await api.request('/api/organizations/999999', { token: superAdmin });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'Organization not found' });
  });
});
