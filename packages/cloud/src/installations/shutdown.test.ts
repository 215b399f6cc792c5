import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CloudOptionsInput } from '../config/options.ts';
import { startCloud, type CloudHandle } from '../start.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { seed, type SeededOrganization } from '../testing/seed.ts';
import { waitFor } from '../testing/services.ts';
import { checkOf, deviceAuthorization, expectJson, heartbeatBody, send, startAndPair, type StatusBody } from './testing/session.ts';
import { ABANDONED_CHECK_ID, ABANDONED_REASON } from './validation/abandon.ts';

// `close()` of a cloud with a validation in progress. The camera is online over HTTP, but no MQTT
// client replies to the send_image command, so the run waits in the image quality stage until its
// image timeout. Each test closes the cloud during that wait and restarts it to read the session.

describeEachDialect('cloud shutdown during validation', (target) => {
  let url: string;
  let cloud: CloudHandle;
  let acme: SeededOrganization;
  let token: string;

  const start = (options: CloudOptionsInput = {}) =>
    startCloud({ port: 0, mqttPort: 0, databaseUrl: url, dataDir: target.dataDir, logger: pino({ level: 'silent' }), jwtSecret: 'shutdown-test-signing-key-0123456789abcd', ...options });
  const request = (path: string, init?: RequestInit) => cloud.app.request(path, init);
  const status = (sessionId: string) => expectJson<StatusBody>(send(request, 'GET', `/api/installations/${sessionId}/status`, { token }), 200);

  beforeAll(async () => {
    url = await target.createUrl();
    cloud = await start();
    const data = await seed(cloud.database, cloud.repos, 'down');
    acme = data.organizations[0];
    token = await loginAs(acme.members.installer, data.password);
  });

  afterAll(async () => {
    await cloud.close();
    target.cleanup();
  });

  async function loginAs(username: string, password: string): Promise<string> {
    const response = await request('/token', { method: 'POST', body: new URLSearchParams({ username, password }) });
    return ((await response.json()) as { access_token: string }).access_token;
  }

  /** Pairs camera `deviceId`, sends one HTTP heartbeat and starts a validation; returns the session id. */
  async function validateSilentCamera(deviceId: string): Promise<string> {
    const { started, pairing } = await startAndPair(request, token, acme.meterSerial, deviceId);
    const beat = await request('/api/installations/cameras/heartbeat', {
      method: 'POST',
      headers: { authorization: deviceAuthorization(deviceId, pairing.mqtt_password), 'content-type': 'application/json' },
      body: heartbeatBody(),
    });
    expect(beat.status).toBe(200);

    await expectJson(send(request, 'POST', `/api/installations/${started.session_id}/validate`, { token, json: { expected_value: 1 } }), 202);
    await waitFor('image request', async () => (await status(started.session_id)).validation?.stages[1]?.status === 'running', 10_000);
    return started.session_id;
  }

  it('waits for a finishing validation', async () => {
    await cloud.close();
    cloud = await start({ installations: { imageTimeoutMs: 1_500 }, shutdownTimeoutMs: 20_000 });
    const sessionId = await validateSilentCamera('down-cam-wait');

    await cloud.close();
    cloud = await start();
    const closed = await status(sessionId);
    expect(closed.status).toBe('validation_failed');
    expect(closed.validation?.stages.map((stage) => stage.status)).toEqual(['passed', 'failed', 'skipped', 'skipped']);
    expect(checkOf(closed, 'image_quality', 'image_received').status).toBe('failed');
    expect(closed.events.at(-1)?.details).toMatchObject({ result: 'failed' });
  });

  it('abandons a validation past the timeout', async () => {
    await cloud.close();
    cloud = await start({ installations: { imageTimeoutMs: 120_000 }, shutdownTimeoutMs: 300 });
    const sessionId = await validateSilentCamera('down-cam-abandon');

    const closing = performance.now();
    await cloud.close();
    expect(performance.now() - closing).toBeLessThan(20_000);

    cloud = await start({ shutdownTimeoutMs: 300 });
    const closed = await status(sessionId);
    expect(closed.status).toBe('validation_failed');
    expect(closed.validation?.status).toBe('failed');
    expect(closed.validation?.stages.map((stage) => stage.status)).toEqual(['passed', 'failed', 'skipped', 'skipped']);
    const abandoned = checkOf(closed, 'image_quality', ABANDONED_CHECK_ID);
    expect(abandoned.status).toBe('failed');
    expect(abandoned.advice).toMatch(/Validate again/);
    expect(closed.validation?.stages[2]?.skipped_reason).toMatch(/abandoned when the cloud shut down/);
    expect(closed.events.at(-1)).toMatchObject({ type: 'validation_finished', details: { result: 'abandoned', reason: ABANDONED_REASON } });

    const again = await send(request, 'POST', `/api/installations/${sessionId}/validate`, { token });
    expect(again.status).toBe(202);
  });
});
