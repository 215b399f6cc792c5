import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { seed, type Seed, type SeededOrganization } from '../testing/seed.ts';
import { checkOf, deviceAuthorization, expectJson, heartbeatBody, send, startAndPair, waitForValidation, type PairingBody, type StatusBody } from './testing/session.ts';

describeEachDialect('installation routes', (target) => {
  let api: TestApp;
  let data: Seed;
  let acme: SeededOrganization;
  let globex: SeededOrganization;
  const tokens: Record<string, string> = {};
  let counter = 0;
  const nextDevice = () => `route-cam-${++counter}`;

  beforeAll(async () => {
    api = await createTestApp({ databaseUrl: await target.createUrl(), dataDir: target.dataDir });
    data = await seed(api.database, api.repos, 'inst');
    [acme, globex] = data.organizations;
    for (const [name, username] of Object.entries({ installer: acme.members.installer, viewer: acme.members.viewer, foreign: globex.members.installer })) {
      tokens[name] = await api.login(username, data.password);
    }
  });

  afterAll(async () => {
    await api.close();
    target.cleanup();
  });

  const request = (path: string, init?: RequestInit) => api.request(path, init);
  const status = (id: string, token = tokens.installer!) => expectJson<StatusBody>(send(request, 'GET', `/api/installations/${id}/status`, { token }), 200);
  const heartbeat = (pairing: PairingBody, body = heartbeatBody()) =>
    request('/api/installations/cameras/heartbeat', { method: 'POST', headers: { authorization: deviceAuthorization(pairing.device_id, pairing.mqtt_password), 'content-type': 'application/json' }, body });

  it('starts a session with a code', async () => {
    const deviceId = nextDevice();
    const started = await expectJson<StatusBody>(send(request, 'POST', '/api/installations/start', { token: tokens.installer, json: { meter_serial: acme.meterSerial, device_id: deviceId } }), 201);

    expect(started.pairing_code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(started.status).toBe('awaiting_pairing');
    expect(started.camera?.has_credentials).toBe(false);
    expect(started.events.map((event) => event.type)).toEqual(['started']);
    expect(started.events[0]!.actor.kind).toBe('user');
  });

  it('pairs once per code', async () => {
    const deviceId = nextDevice();
    const { started, pairing } = await startAndPair(request, tokens.installer!, acme.meterSerial, deviceId);
    expect(pairing).toMatchObject({ device_id: deviceId, session_id: started.session_id, meter_serial: acme.meterSerial, mqtt_username: deviceId });
    expect(pairing.mqtt_password.length).toBeGreaterThanOrEqual(40);

    const again = await send(request, 'POST', '/api/installations/pair', { json: { pairing_code: started.pairing_code, device_id: deviceId } });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { detail: string }).detail).toMatch(/already used/);

    const paired = await status(started.session_id);
    expect(paired.status).toBe('paired');
    expect(paired.events.at(-1)).toMatchObject({ type: 'paired', actor: { kind: 'device', device_id: deviceId } });
  });

  it('rejects an unknown code', async () => {
    const response = await send(request, 'POST', '/api/installations/pair', { json: { pairing_code: 'ZZZZ-ZZZZ', device_id: nextDevice() } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'Pairing code not found: check the code shown when the installation started' });
  });

  it('rejects an expired code', async () => {
    const deviceId = nextDevice();
    const started = await expectJson<StatusBody>(send(request, 'POST', '/api/installations/start', { token: tokens.installer, json: { meter_serial: acme.meterSerial, device_id: deviceId } }), 201);
    const { installations } = api.database.tables;
    await api.database.db.update(installations).set({ pairingExpiresAt: new Date(Date.now() - 1000) }).where(eq(installations.id, started.session_id));

    const response = await send(request, 'POST', '/api/installations/pair', { json: { pairing_code: started.pairing_code, device_id: deviceId } });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/expired/);
    expect((await status(started.session_id)).camera?.has_credentials).toBe(false);
  });

  it('locks a code after wrong devices', async () => {
    const deviceId = nextDevice();
    const started = await expectJson<StatusBody>(send(request, 'POST', '/api/installations/start', { token: tokens.installer, json: { meter_serial: acme.meterSerial, device_id: deviceId } }), 201);
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = await send(request, 'POST', '/api/installations/pair', { json: { pairing_code: started.pairing_code, device_id: 'intruder' } });
      expect(wrong.status).toBe(409);
    }

    const right = await send(request, 'POST', '/api/installations/pair', { json: { pairing_code: started.pairing_code, device_id: deviceId } });
    expect(right.status).toBe(409);
    expect(((await right.json()) as { detail: string }).detail).toMatch(/locked/);
  });

  it('hides sessions from other organizations', async () => {
    const { started } = await startAndPair(request, tokens.installer!, acme.meterSerial, nextDevice());
    const id = started.session_id;

    for (const [method, path] of [['GET', `/api/installations/${id}/status`], ['POST', `/api/installations/${id}/validate`], ['POST', `/api/installations/${id}/complete`], ['POST', `/api/installations/${id}/revoke`]] as const) {
      expect((await send(request, method, path, { token: tokens.foreign, json: method === 'POST' ? {} : undefined })).status, `${method} ${path}`).toBe(404);
    }
    const foreignStart = await send(request, 'POST', '/api/installations/start', { token: tokens.foreign, json: { meter_serial: acme.meterSerial, device_id: nextDevice() } });
    expect(foreignStart.status).toBe(404);
  });

  it('keeps camera ids per organization', async () => {
    const response = await send(request, 'POST', '/api/installations/start', { token: tokens.foreign, json: { meter_serial: globex.meterSerial, device_id: acme.deviceId } });
    expect(response.status).toBe(409);
  });

  it('lets viewers read only', async () => {
    const { started } = await startAndPair(request, tokens.installer!, acme.meterSerial, nextDevice());
    expect((await status(started.session_id, tokens.viewer)).session_id).toBe(started.session_id);

    const start = await send(request, 'POST', '/api/installations/start', { token: tokens.viewer, json: { meter_serial: acme.meterSerial, device_id: nextDevice() } });
    expect(start.status).toBe(403);
    expect((await send(request, 'POST', `/api/installations/${started.session_id}/complete`, { token: tokens.viewer })).status).toBe(403);
  });

  it('cancels the previous open session', async () => {
    const deviceId = nextDevice();
    const { started: first } = await startAndPair(request, tokens.installer!, acme.meterSerial, deviceId);
    const second = await expectJson<StatusBody>(send(request, 'POST', '/api/installations/start', { token: tokens.installer, json: { meter_serial: acme.meterSerial, device_id: deviceId } }), 201);

    const cancelled = await status(first.session_id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.events.at(-1)).toMatchObject({ type: 'cancelled', details: { replaced_by: second.session_id } });
  });

  it('refuses validation before pairing', async () => {
    const started = await expectJson<StatusBody>(send(request, 'POST', '/api/installations/start', { token: tokens.installer, json: { meter_serial: acme.meterSerial, device_id: nextDevice() } }), 201);
    const response = await send(request, 'POST', `/api/installations/${started.session_id}/validate`, { token: tokens.installer });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/not paired/);
  });

  it('names the session to validate', async () => {
    const { started } = await startAndPair(request, tokens.installer!, acme.meterSerial, nextDevice());
    const response = await send(request, 'POST', `/api/installations/${started.session_id}/complete`, { token: tokens.installer });
    expect(response.status).toBe(409);
    const { detail } = (await response.json()) as { detail: string };
    expect(detail).toContain(`POST /api/installations/${started.session_id}/validate`);
    expect(detail).not.toContain('{session_id}');
  });

  it('trims the typed plate serial', async () => {
    const { started } = await startAndPair(request, tokens.installer!, acme.meterSerial, nextDevice());
    const typed = ` ${acme.meterSerial.toLowerCase()} `;
    await expectJson<StatusBody>(send(request, 'POST', `/api/installations/${started.session_id}/validate`, { token: tokens.installer, json: { expected_value: 1, meter_serial: typed } }), 202);

    // The run may already have finished, so the request event is looked up by type.
    const done = await waitForValidation(request, tokens.installer!, started.session_id);
    const requested = done.events.find((event) => event.type === 'validation_requested');
    expect(requested).toMatchObject({ details: { meter_serial: acme.meterSerial.toLowerCase() } });
  });

  it('takes an empty JSON body as none', async () => {
    const started = await expectJson<StatusBody>(send(request, 'POST', '/api/installations/start', { token: tokens.installer, json: { meter_serial: acme.meterSerial, device_id: nextDevice() } }), 201);
    const response = await request(`/api/installations/${started.session_id}/validate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.installer}`, 'content-type': 'application/json' },
      body: '',
    });
    // 409 comes from the workflow, so the empty body passed validation as no body.
    expect(response.status).toBe(409);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/not paired/);
  });

  it('records HTTP heartbeats', async () => {
    const { started, pairing } = await startAndPair(request, tokens.installer!, acme.meterSerial, nextDevice());
    const response = await heartbeat(pairing, heartbeatBody({ sentAt: new Date(Date.now() + 42_000).toISOString(), clockSynchronized: false }));
    expect(response.status).toBe(200);

    const camera = (await status(started.session_id)).camera!;
    expect(camera.connection).toBe('online');
    expect(camera.last_heartbeat).toMatchObject({ via: 'http', clock_synchronized: false });
    expect((camera.last_heartbeat as { clock_skew_ms: number }).clock_skew_ms).toBeGreaterThan(40_000);
  });

  it('rejects heartbeats after revocation', async () => {
    const { started, pairing } = await startAndPair(request, tokens.installer!, acme.meterSerial, nextDevice());
    expect((await heartbeat(pairing)).status).toBe(200);

    const revoked = await expectJson<StatusBody>(send(request, 'POST', `/api/installations/${started.session_id}/revoke`, { token: tokens.installer }), 200);
    expect(revoked.status).toBe('revoked');
    expect(revoked.camera).toMatchObject({ state: 'revoked', has_credentials: false });
    expect(revoked.events.at(-1)?.type).toBe('revoked');
    expect((await heartbeat(pairing)).status).toBe(401);
  });

  it('fails validation without a broker', async () => {
    const { started, pairing } = await startAndPair(request, tokens.installer!, acme.meterSerial, nextDevice());
    await heartbeat(pairing);

    const accepted = await expectJson<StatusBody>(send(request, 'POST', `/api/installations/${started.session_id}/validate`, { token: tokens.installer, json: { expected_value: 1, meter_serial: acme.meterSerial } }), 202);
    expect(accepted.status).toBe('validating');
    const done = await waitForValidation(request, tokens.installer!, started.session_id);

    expect(done.status).toBe('validation_failed');
    expect(done.validation!.stages.map((stage) => stage.status)).toEqual(['passed', 'failed', 'skipped', 'skipped']);
    expect(checkOf(done, 'image_quality', 'image_received').advice).toMatch(/broker/);
    expect(done.validation!.stages[2]!.skipped_reason).toMatch(/image quality stage failed/);
  });

  it('keeps failing checks on completion', async () => {
    const { started } = await startAndPair(request, tokens.installer!, acme.meterSerial, nextDevice());
    await send(request, 'POST', `/api/installations/${started.session_id}/validate`, { token: tokens.installer, json: { expected_value: 1 } });
    const validated = await waitForValidation(request, tokens.installer!, started.session_id);
    expect(validated.validation!.stages[0]!.status).toBe('failed');
    expect(checkOf(validated, 'connectivity', 'heartbeat_recent').status).toBe('failed');

    const completed = await expectJson<StatusBody>(send(request, 'POST', `/api/installations/${started.session_id}/complete`, { token: tokens.installer }), 200);
    expect(completed.status).toBe('failed');
    expect(completed.camera?.state).toBe('failed');
    expect(completed.failed_checks.map((check) => check.id)).toContain('heartbeat_recent');
    expect(completed.events.map((event) => event.type)).toEqual(['started', 'paired', 'validation_requested', 'stage_finished', 'validation_finished', 'completed']);

    const again = await send(request, 'POST', `/api/installations/${started.session_id}/complete`, { token: tokens.installer });
    expect(again.status).toBe(409);
  });
});
