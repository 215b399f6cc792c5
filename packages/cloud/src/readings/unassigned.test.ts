import { encodePayload, topics } from '@metervision/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAndPair, type PairingBody } from '../installations/testing/session.ts';
import { startCloud, type CloudHandle } from '../start.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { testJpeg } from '../testing/images.ts';
import { readingMessage } from '../testing/messages.ts';
import { seed, type SeededOrganization } from '../testing/seed.ts';

// A camera paired through an installation session has credentials but no meter until the
// installation completes. What it publishes in between is acknowledged, stored attached to the
// device, listed by the device API and kept out of the meter's readings, also after binding.

describeEachDialect('unassigned readings', (target) => {
  const deviceId = 'unassigned-cam';
  let cloud: CloudHandle;
  let acme: SeededOrganization;
  let token: string;
  let pairing: PairingBody;
  let device: MqttClient;

  beforeAll(async () => {
    cloud = await startCloud({ port: 0, mqttPort: 0, databaseUrl: await target.createUrl(), dataDir: target.dataDir, logger: pino({ level: 'silent' }), jwtSecret: 'u'.repeat(40) });
    const data = await seed(cloud.database, cloud.repos, 'un');
    acme = data.organizations[0];
    jpeg = await testJpeg();
    early = readingMessage({ meterSerial: 'WM-ON-THE-PLATE', image: { contentType: 'image/jpeg', data: jpeg.toString('base64') } });
    const login = await cloud.app.request('/token', { method: 'POST', body: new URLSearchParams({ username: acme.members.installer, password: data.password }) });
    token = ((await login.json()) as { access_token: string }).access_token;

    ({ pairing } = await startAndPair((path, init) => cloud.app.request(path, init), token, acme.meterSerial, deviceId));
    device = await mqtt.connectAsync(cloud.mqttUrl!, { clientId: deviceId, username: deviceId, password: pairing.mqtt_password, reconnectPeriod: 0 });
  });

  afterAll(async () => {
    await device.endAsync(true);
    await cloud.close();
    target.cleanup();
  });

  const get = (path: string) => cloud.app.request(path, { headers: { authorization: `Bearer ${token}` } });
  const publishReading = (message: ReturnType<typeof readingMessage>) => device.publishAsync(topics.readings(deviceId), encodePayload('readings', message), { qos: 1 });
  const meterReadingIds = async () => (await cloud.repos.readings.listForMeter(acme.meterId, { limit: 500, offset: 0 })).items.map((row) => row.id);

  let jpeg: Buffer;
  let early: ReturnType<typeof readingMessage>;

  it('stores a reading before completion', async () => {
    expect((await cloud.repos.devices.findById(deviceId))?.meterId).toBeNull();
    const before = cloud.ingestion.counters.readingsUnassigned;

    await publishReading(early);

    expect(cloud.ingestion.counters.readingsUnassigned).toBe(before + 1);
    const row = await cloud.repos.unassignedReadings.findForDevice(deviceId, early.readingId);
    expect(row).toMatchObject({ organizationId: acme.id, reportedMeterSerial: 'WM-ON-THE-PLATE', status: 'accepted', value: 123.45 });
    expect(await cloud.repos.readings.exists(early.readingId)).toBe(false);
    expect(await meterReadingIds()).not.toContain(early.readingId);
  });

  it('lists it through the device API', async () => {
    const response = await get(`/api/devices/${deviceId}/unassigned-readings`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-total-count')).toBe('1');
    const [listed] = (await response.json()) as { id: string; device_id: string; reported_meter_serial: string; value: number; image_url: string }[];
    expect(listed).toMatchObject({ id: early.readingId, device_id: deviceId, reported_meter_serial: 'WM-ON-THE-PLATE', value: 123.45 });

    const evidence = await get(listed!.image_url);
    expect(evidence.status).toBe(200);
    expect(Buffer.from(await evidence.arrayBuffer()).equals(jpeg)).toBe(true);
  });

  it('filters the list by status', async () => {
    const response = await get(`/api/devices/${deviceId}/unassigned-readings?status=failed`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([]);
  });

  it('keeps them off the meter after binding', async () => {
    // Completing an installation binds the camera with exactly this call.
    await cloud.repos.devices.assignMeter(deviceId, acme.meterId);
    const duplicates = cloud.ingestion.counters.duplicates;

    await publishReading(early);
    expect(cloud.ingestion.counters.duplicates).toBe(duplicates + 1);
    expect(await meterReadingIds()).not.toContain(early.readingId);

    const later = readingMessage();
    await publishReading(later);
    expect(await meterReadingIds()).toContain(later.readingId);
    expect(await cloud.repos.unassignedReadings.findForDevice(deviceId, later.readingId)).toBeNull();
    expect((await get(`/api/devices/${deviceId}/unassigned-readings`)).headers.get('x-total-count')).toBe('1');
  });

  it('answers 404 for unknown ones', async () => {
    expect((await get(`/api/devices/${deviceId}/unassigned-readings/no-such-reading/image`)).status).toBe(404);
    expect((await get('/api/devices/no-such-cam/unassigned-readings')).status).toBe(404);
  });
});
