import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_REQUEST_BODY_BYTES } from './app.ts';
import { canonicalPath } from './router.ts';

describe('canonicalPath', () => {
  const slashPaths = new Set(['/projects/', '/meters/']);

  it('adds the listed trailing slash', () => {
    expect(canonicalPath('/projects', slashPaths)).toBe('/projects/');
  });

  it('drops other trailing slashes', () => {
    expect(canonicalPath('/meters/ABC/', slashPaths)).toBe('/meters/ABC');
    expect(canonicalPath('/users/me/', slashPaths)).toBe('/users/me');
  });

  it('keeps the root path', () => {
    expect(canonicalPath('/', slashPaths)).toBe('/');
  });
});

describe('createApp', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'metervision-app-'));
  let api: TestApp;

  beforeAll(async () => {
    api = await createTestApp({ databaseUrl: join(dataDir, 'app.db'), dataDir });
  });

  afterAll(async () => {
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers unknown paths with detail', async () => {
    const response = await api.request('/nowhere');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'Not Found' });
  });

  it('rejects malformed JSON with 422', async () => {
    const { hashPassword } = await import('../auth/passwords.ts');
    await api.repos.users.create({ username: 'json-tester', passwordHash: await hashPassword('json tester password', 10), platformRole: 'super_admin' });
    const token = await api.login('json-tester', 'json tester password');
    const response = await api.request('/projects/', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: '{' });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ detail: [expect.objectContaining({ type: 'json_invalid', loc: ['body'] })] });
  });

  it('names a non-number parameter', async () => {
    const token = await api.login('json-tester', 'json tester password');
    const path = await api.request('/api/organizations/abc', { token });
    expect(path.status).toBe(422);
    expect(await path.json()).toEqual({ detail: [{ type: 'invalid_type', loc: ['path', 'org_id'], msg: 'Must be a number, not "abc"' }] });

    const query = await api.request('/meters_list/?limit=abc', { token });
    expect(query.status).toBe(422);
    expect(await query.json()).toEqual({ detail: [{ type: 'invalid_type', loc: ['query', 'limit'], msg: 'Must be a number, not "abc"' }] });
  });

  it('reports missing fields as required', async () => {
    const token = await api.login('json-tester', 'json tester password');
    const response = await api.request('/projects/', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(422);
    const { detail } = (await response.json()) as { detail: { type: string; loc: string[]; msg: string }[] };
    expect(detail).toContainEqual({ type: 'missing', loc: ['body', 'organization_id'], msg: 'Field required' });
    expect(detail).toContainEqual({ type: 'missing', loc: ['body', 'name'], msg: 'Field required' });
  });

  it('shows the datetime format', async () => {
    const token = await api.login('json-tester', 'json tester password');
    const response = await api.request('/meters/ANY-METER/readings?since=2020-01-01', { token });
    expect(response.status).toBe(422);
    const { detail } = (await response.json()) as { detail: { loc: string[]; msg: string }[] };
    expect(detail[0]!.loc).toEqual(['query', 'since']);
    expect(detail[0]!.msg).toContain('ISO 8601');
    expect(detail[0]!.msg).toContain('2020-01-01T00:00:00Z');
    expect(detail[0]!.msg).toContain('"2020-01-01"');
  });

  it('explains a JSON login with 415', async () => {
    const response = await api.request('/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({
      detail: 'Unsupported Media Type application/json: send the form as application/x-www-form-urlencoded or multipart/form-data with username and password.',
    });
  });

  it('explains a raw image upload with 415', async () => {
    const { hashPassword } = await import('../auth/passwords.ts');
    await api.repos.users.create({ username: 'upload-tester', passwordHash: await hashPassword('upload tester password', 10), platformRole: 'super_admin' });
    const token = await api.login('upload-tester', 'upload tester password');
    const response = await api.request('/meters/ANY-METER/reading', { method: 'POST', token, headers: { 'content-type': 'image/jpeg' }, body: new Uint8Array([0xff, 0xd8, 0xff]) });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ detail: 'Unsupported Media Type image/jpeg: send multipart/form-data with the file in the field file.' });
  });

  it('rejects NUL in JSON texts', async () => {
    const token = await api.login('json-tester', 'json tester password');
    const response = await api.request('/projects/', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: '{"organization_id":1,"name":"a\\u0000b"}' });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ detail: [expect.objectContaining({ loc: ['body', 'name'] })] });
  });

  it('rejects NUL in query values', async () => {
    const token = await api.login('json-tester', 'json tester password');
    const response = await api.request('/projects/?q=a%00b', { token });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ detail: [expect.objectContaining({ loc: ['query'] })] });
  });

  it('limits bodies outside uploads', async () => {
    const nested = `{"pairing_code":"AAAA-BBBB","device_id":"x","z":${'['.repeat(MAX_REQUEST_BODY_BYTES)}}`;
    const response = await api.request('/api/installations/pair', { method: 'POST', headers: { 'content-type': 'application/json' }, body: nested });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { detail: string }).detail).toContain('only photo uploads');
  });

  it('lets uploads past that limit', async () => {
    const token = await api.login('upload-tester', 'upload tester password');
    const form = new FormData();
    form.set('file', new File([new Uint8Array(MAX_REQUEST_BODY_BYTES + 1)], 'large.jpg'));
    const response = await api.request('/meters/ANY-METER/reading', { method: 'POST', token, body: form });
    expect(response.status).not.toBe(413);
  });

  it('refuses a route without policy', async () => {
    const { ApiRouter } = await import('./router.ts');
    const { createRoute } = await import('@hono/zod-openapi');
    const router = new ApiRouter(api.app, api.deps);
    const route = createRoute({ method: 'get', path: '/unguarded', responses: { 200: { description: 'ok' } } });
    expect(() => router.add(route, (c) => c.body(null, 200))).toThrow(/No access policy/);
  });
});
