import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { seed, type SeededOrganization } from '../testing/seed.ts';
import { expectJson, send, startAndPair, type StatusBody } from './testing/session.ts';

// A camera id typed at the start of a session belongs to that organization only once the camera
// pairs. Until then another organization can take it over, as soon as the first session no longer
// has a pairing code that works (revoked, cancelled or expired).

describeEachDialect('session camera binding', (target) => {
  let api: TestApp;
  let acme: SeededOrganization;
  let globex: SeededOrganization;
  const tokens: Record<'acme' | 'globex', string> = { acme: '', globex: '' };
  let counter = 0;
  const nextDevice = () => `bind-cam-${++counter}`;

  beforeAll(async () => {
    api = await createTestApp({ databaseUrl: await target.createUrl(), dataDir: target.dataDir });
    const data = await seed(api.database, api.repos, 'bind');
    [acme, globex] = data.organizations;
    tokens.acme = await api.login(acme.members.installer, data.password);
    tokens.globex = await api.login(globex.members.installer, data.password);
  });

  afterAll(async () => {
    await api.close();
    target.cleanup();
  });

  const request = (path: string, init?: RequestInit) => api.request(path, init);
  const start = (organization: 'acme' | 'globex', deviceId: string) =>
    send(request, 'POST', '/api/installations/start', { token: tokens[organization], json: { meter_serial: (organization === 'acme' ? acme : globex).meterSerial, device_id: deviceId } });
  const startJson = (organization: 'acme' | 'globex', deviceId: string) => expectJson<StatusBody>(start(organization, deviceId), 201);
  const revoke = (sessionId: string) => expectJson<StatusBody>(send(request, 'POST', `/api/installations/${sessionId}/revoke`, { token: tokens.acme }), 200);
  const status = (sessionId: string) => expectJson<StatusBody>(send(request, 'GET', `/api/installations/${sessionId}/status`, { token: tokens.acme }), 200);

  it('releases a revoked unpaired camera', async () => {
    const deviceId = nextDevice();
    const first = await startJson('acme', deviceId);
    await revoke(first.session_id);

    const taken = await startJson('globex', deviceId);
    expect(taken.camera?.has_credentials).toBe(false);
    expect(await api.repos.devices.organizationOf(deviceId)).toBe(globex.id);
    expect((await status(first.session_id)).camera).toBeNull();
  });

  it('releases a camera whose code expired', async () => {
    const deviceId = nextDevice();
    const first = await startJson('acme', deviceId);
    const { installations } = api.database.tables;
    await api.database.db.update(installations).set({ pairingExpiresAt: new Date(Date.now() - 1000) }).where(eq(installations.id, first.session_id));

    await startJson('globex', deviceId);
    const lapsed = await status(first.session_id);
    expect(lapsed.status).toBe('cancelled');
    expect(lapsed.events.at(-1)).toMatchObject({ type: 'cancelled', actor: { kind: 'system' }, details: { reason: 'pairing_code_expired' } });
  });

  it('releases a cancelled unpaired camera', async () => {
    const deviceId = nextDevice();
    const first = await startJson('acme', deviceId);
    await startJson('acme', nextDevice());
    expect((await status(first.session_id)).status).toBe('cancelled');

    await startJson('globex', deviceId);
  });

  it('keeps a camera awaiting pairing', async () => {
    const deviceId = nextDevice();
    await startJson('acme', deviceId);

    const response = await start('globex', deviceId);
    expect(response.status).toBe(409);
    expect(((await response.json()) as { detail: string }).detail).toBe(`Device ${deviceId} is registered to another organization: check the id on the camera's label`);
    expect(await api.repos.devices.organizationOf(deviceId)).toBe(acme.id);
  });

  it('keeps a camera that paired', async () => {
    const deviceId = nextDevice();
    const { started } = await startAndPair(request, tokens.acme, acme.meterSerial, deviceId);
    await revoke(started.session_id);

    expect((await start('globex', deviceId)).status).toBe(409);
    expect(await api.repos.devices.organizationOf(deviceId)).toBe(acme.id);
  });

  it('rejects pairing a moved camera', async () => {
    const deviceId = nextDevice();
    const first = await startJson('acme', deviceId);
    const { devices } = api.database.tables;
    await api.database.db.update(devices).set({ organizationId: globex.id }).where(eq(devices.id, deviceId));

    const response = await send(request, 'POST', '/api/installations/pair', { json: { pairing_code: first.pairing_code, device_id: deviceId } });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/no longer registered here/);
    expect((await api.repos.devices.findById(deviceId))?.credentialIssuedAt).toBeNull();
  });

  it('keeps the seeded camera', async () => {
    expect((await start('globex', acme.deviceId)).status).toBe(409);
  });
});
