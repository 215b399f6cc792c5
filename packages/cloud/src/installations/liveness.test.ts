import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLivenessSweep } from '../devices/liveness.ts';
import { startCloud } from '../start.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { seed, type SeededOrganization } from '../testing/seed.ts';
import { waitFor } from '../testing/services.ts';
import { checkOf, deviceAuthorization, expectJson, heartbeatBody, send, startAndPair, waitForValidation, type StatusBody } from './testing/session.ts';

describeEachDialect('missed heartbeats', (target) => {
  let api: TestApp;
  let acme: SeededOrganization;
  let token: string;

  beforeAll(async () => {
    api = await createTestApp({ databaseUrl: await target.createUrl(), dataDir: target.dataDir });
    const data = await seed(api.database, api.repos, 'live');
    acme = data.organizations[0];
    token = await api.login(acme.members.installer, data.password);
  });

  afterAll(async () => {
    await api.close();
    target.cleanup();
  });

  const request = (path: string, init?: RequestInit) => api.request(path, init);

  it('marks a silent camera offline', async () => {
    const { started, pairing } = await startAndPair(request, token, acme.meterSerial, 'live-cam-1');
    const beat = await request('/api/installations/cameras/heartbeat', {
      method: 'POST',
      headers: { authorization: deviceAuthorization(pairing.device_id, pairing.mqtt_password), 'content-type': 'application/json' },
      body: heartbeatBody(),
    });
    expect(beat.status).toBe(200);

    const sweep = startLivenessSweep(api.repos.devices, pino({ level: 'silent' }), { heartbeatIntervalSeconds: 10, missedHeartbeats: 3, sweepIntervalMs: 60_000 });
    try {
      expect(await sweep.sweep(new Date(Date.now() + 29_000))).toEqual([]);
      expect(await sweep.sweep(new Date(Date.now() + 31_000))).toEqual(['live-cam-1']);
    } finally {
      await sweep.stop();
    }

    const status = await expectJson<StatusBody>(send(request, 'GET', `/api/installations/${started.session_id}/status`, { token }), 200);
    expect(status.camera?.connection).toBe('offline');

    await send(request, 'POST', `/api/installations/${started.session_id}/validate`, { token, json: { expected_value: 1 } });
    const validated = await waitForValidation(request, token, started.session_id);
    expect(checkOf(validated, 'connectivity', 'camera_online').status).toBe('failed');
  });
});

describe('startCloud liveness options', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'metervision-liveness-'));

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('sweeps with the configured silence', async () => {
    const liveness = { heartbeatIntervalSeconds: 1, missedHeartbeats: 2, sweepIntervalMs: 100 };
    const cloud = await startCloud({ port: 0, mqttPort: 0, dataDir, logger: pino({ level: 'silent' }), jwtSecret: 'liveness-test-signing-key-0123456789abcd', liveness });
    try {
      const { organizations } = await seed(cloud.database, cloud.repos, 'sweep');
      const camera = organizations[0];
      const beat = await cloud.app.request('/api/installations/cameras/heartbeat', {
        method: 'POST',
        headers: { authorization: deviceAuthorization(camera.deviceId, camera.deviceSecret), 'content-type': 'application/json' },
        body: heartbeatBody(),
      });
      expect(beat.status).toBe(200);
      expect((await cloud.repos.devices.findById(camera.deviceId))?.status).toBe('online');

      // 2 × 1 s of silence: well inside the default 3 × 60 s, so only the passed options can explain it.
      await waitFor('camera offline', async () => (await cloud.repos.devices.findById(camera.deviceId))?.status === 'offline', 10_000);
    } finally {
      await cloud.close();
    }
  });
});
