import { Hono } from 'hono';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ApiEnv } from '../http/context.ts';
import { handleError } from '../http/errors.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { seed, type SeededOrganization } from '../testing/seed.ts';
import { authenticateDevice } from './enforce.ts';

describeEachDialect('device authentication', (target) => {
  let api: TestApp;
  let acme: SeededOrganization;
  const app = new Hono<ApiEnv>();

  beforeAll(async () => {
    api = await createTestApp({ databaseUrl: await target.createUrl(), dataDir: target.dataDir });
    acme = (await seed(api.database, api.repos, 'da')).organizations[0];
    app.onError(handleError(api.deps.logger));
    app.get('/device-only', authenticateDevice(api.deps), (c) => c.json({ device: c.get('device').id }));
  });

  afterAll(async () => {
    await api.close();
    target.cleanup();
  });

  const call = (credentials?: string) =>
    app.request('/device-only', { headers: credentials ? { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } : {} });

  it('accepts the issued secret', async () => {
    const response = await call(`${acme.deviceId}:${acme.deviceSecret}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ device: acme.deviceId });
  });

  it('rejects a wrong secret', async () => {
    const response = await call(`${acme.deviceId}:wrong`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('rejects missing credentials', async () => {
    expect((await call()).status).toBe(401);
  });

  it('rejects a revoked device', async () => {
    const { revokeDeviceCredentials } = await import('../devices/credentials.ts');
    await revokeDeviceCredentials(api.database, acme.deviceId);
    expect((await call(`${acme.deviceId}:${acme.deviceSecret}`)).status).toBe(401);
  });
});
