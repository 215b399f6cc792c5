import { encodePayload, topics } from '@metervision/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCloud, type CloudHandle } from '../start.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { seed, type Seed, type SeededOrganization } from '../testing/seed.ts';
import { testJpeg } from '../testing/images.ts';
import { readingMessage } from '../testing/messages.ts';
import { waitFor } from '../testing/services.ts';

describeEachDialect('embedded broker', (target) => {
  let cloud: CloudHandle;
  let data: Seed;
  let acme: SeededOrganization;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    cloud = await startCloud({ port: 0, mqttPort: 0, databaseUrl: await target.createUrl(), dataDir: target.dataDir, logger: pino({ level: 'silent' }), jwtSecret: 'x'.repeat(40) });
    data = await seed(cloud.database, cloud.repos, 'mq');
    acme = data.organizations[0];
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    await cloud.close();
    target.cleanup();
  });

  const connect = async (options: { clientId: string; username?: string; password?: string; will?: mqtt.IClientOptions['will'] }) => {
    const client = await mqtt.connectAsync(cloud.mqttUrl!, { ...options, reconnectPeriod: 0, connectTimeout: 5_000 });
    clients.push(client);
    return client;
  };
  const connectDevice = (org = acme) => connect({ clientId: org.deviceId, username: org.deviceId, password: org.deviceSecret });
  const readingCount = async (meterId: number) => (await cloud.repos.readings.listForMeter(meterId, { limit: 1, offset: 0 })).total;

  it('closes an oversized unauthenticated connection', async () => {
    const { createConnection } = await import('node:net');
    const socket = createConnection({ host: '127.0.0.1', port: cloud.mqttPort! });
    const closed = new Promise<void>((resolveClose) => socket.once('close', () => resolveClose()));
    socket.on('error', () => undefined);
    // A CONNECT fixed header declaring 10 MB of remaining length, then data that never ends it.
    socket.write(Buffer.from([0x10, 0x80, 0xad, 0xe2, 0x04]));
    for (let chunk = 0; chunk < 10 && !socket.destroyed; chunk++) socket.write(Buffer.alloc(16 * 1024));
    await closed;
    expect((await fetch(`${cloud.httpUrl}/healthz`)).status).toBe(200);
  });

  it('rejects a wrong secret', async () => {
    await expect(connect({ clientId: acme.deviceId, username: acme.deviceId, password: 'wrong' })).rejects.toThrow(/Bad username or password|Not authorized/i);
  });

  it('rejects a client id mismatch', async () => {
    await expect(connect({ clientId: 'someone-else', username: acme.deviceId, password: acme.deviceSecret })).rejects.toThrow(/Not authorized/i);
  });

  it('stores a published reading', async () => {
    const device = await connectDevice();
    const message = readingMessage();
    await device.publishAsync(topics.readings(acme.deviceId), encodePayload('readings', message), { qos: 1 });

    const stored = await cloud.repos.readings.findForMeter(acme.meterId, message.readingId);
    expect(stored?.value).toBe(123.45);
    expect(stored?.deviceId).toBe(acme.deviceId);
    expect(stored?.source).toBe('device');
  });

  it('stores a redelivered reading once', async () => {
    const device = await connectDevice();
    const before = await readingCount(acme.meterId);
    const payload = encodePayload('readings', readingMessage());
    for (let attempt = 0; attempt < 3; attempt++) await device.publishAsync(topics.readings(acme.deviceId), payload, { qos: 1 });

    expect(await readingCount(acme.meterId)).toBe(before + 1);
    expect(cloud.ingestion.counters.duplicates).toBeGreaterThanOrEqual(2);
  });

  it('stores image evidence on disk', async () => {
    const device = await connectDevice();
    const jpeg = await testJpeg();
    const image = { contentType: 'image/jpeg' as const, data: jpeg.toString('base64') };
    const message = readingMessage({ status: 'flagged', value: null, image });
    await device.publishAsync(topics.readings(acme.deviceId), encodePayload('readings', message), { qos: 1 });

    const stored = await cloud.repos.readings.findForMeter(acme.meterId, message.readingId);
    expect(stored?.status).toBe('flagged');
    expect((await cloud.deps.evidence.load(stored!.imagePath!)).equals(jpeg)).toBe(true);
  });

  it('keeps readings of a device without meter', async () => {
    const { registerDevice } = await import('../devices/credentials.ts');
    const spare = await registerDevice(cloud.database, { deviceId: 'mq-spare-cam', organizationId: acme.id, meterId: null });
    const device = await connect({ clientId: spare.deviceId, username: spare.deviceId, password: spare.secret });
    const before = { ...cloud.ingestion.counters };
    const message = readingMessage();
    await device.publishAsync(topics.readings(spare.deviceId), encodePayload('readings', message), { qos: 1 });

    expect(cloud.ingestion.counters.readingsUnassigned).toBe(before.readingsUnassigned + 1);
    expect(cloud.ingestion.counters.dropped).toBe(before.dropped);
    expect(await cloud.repos.readings.exists(message.readingId)).toBe(false);
    expect(await cloud.repos.unassignedReadings.exists(message.readingId)).toBe(true);
  });

  it('records heartbeats', async () => {
    const device = await connectDevice();
    const heartbeat = { v: 1 as const, sentAt: new Date().toISOString(), firmwareVersion: '1.2.3', uptimeSeconds: 60, signalDbm: -61, freeMemoryBytes: 1_000_000 };
    await device.publishAsync(topics.heartbeat(acme.deviceId), encodePayload('heartbeat', heartbeat), { qos: 1 });

    const row = await cloud.repos.devices.findById(acme.deviceId);
    expect(row?.status).toBe('online');
    expect(row?.firmwareVersion).toBe('1.2.3');
    expect(row?.signalDbm).toBe(-61);
  });

  it('marks offline on last will', async () => {
    const [, globex] = data.organizations;
    const will = { topic: topics.status(globex.deviceId), payload: Buffer.from(encodePayload('status', { v: 1, state: 'offline', at: new Date().toISOString() })), qos: 1 as const, retain: true };
    const device = await connect({ clientId: globex.deviceId, username: globex.deviceId, password: globex.deviceSecret, will });
    await device.publishAsync(topics.status(globex.deviceId), encodePayload('status', { v: 1, state: 'online', at: new Date().toISOString() }), { qos: 1, retain: true });
    expect((await cloud.repos.devices.findById(globex.deviceId))?.status).toBe('online');

    (device as unknown as { stream: { destroy(): void } }).stream.destroy();
    await waitFor('offline status', async () => (await cloud.repos.devices.findById(globex.deviceId))?.status === 'offline', 5_000);
  });

  it('disconnects a publish to another device', async () => {
    const device = await connectDevice();
    const closed = new Promise<void>((resolveClose) => device.once('close', () => resolveClose()));
    device.publish(topics.readings('another-device'), encodePayload('readings', readingMessage()), { qos: 1 });
    await closed;
    expect(device.connected).toBe(false);
  });

  it('grants only own downlink subscriptions', async () => {
    const device = await connectDevice();
    const granted = await device.subscribeAsync(topics.config(acme.deviceId), { qos: 1 });
    expect(granted.map((grant) => grant.qos)).toEqual([1]);
    await expect(device.subscribeAsync(topics.config('another-device'), { qos: 1 })).rejects.toThrow(/Subscribe error/);
    await expect(device.subscribeAsync('metervision/#', { qos: 1 })).rejects.toThrow(/Subscribe error/);
  });

  it('delivers cloud publishes to the device', async () => {
    const device = await connectDevice();
    await device.subscribeAsync(topics.commands(acme.deviceId), { qos: 1 });
    const received = new Promise<string>((resolveMessage) => device.once('message', (_topic, payload) => resolveMessage(payload.toString())));
    await cloud.bus.publish(topics.commands(acme.deviceId), '{"hello":1}', { qos: 1 });
    expect(await received).toBe('{"hello":1}');
  });

  it('allows Home Assistant discovery', async () => {
    const device = await connectDevice();
    await device.publishAsync(`homeassistant/sensor/metervision_${acme.deviceId}/value/config`, '{}', { qos: 1 });
    expect(device.connected).toBe(true);
  });

  it('refuses revoked credentials', async () => {
    const [, globex] = data.organizations;
    const token = await (async () => {
      const response = await cloud.app.request('/token', { method: 'POST', body: new URLSearchParams({ username: globex.members.admin, password: data.password }) });
      return ((await response.json()) as { access_token: string }).access_token;
    })();
    const revoke = await cloud.app.request(`/api/devices/${globex.deviceId}/credentials`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(revoke.status).toBe(204);
    await expect(connect({ clientId: globex.deviceId, username: globex.deviceId, password: globex.deviceSecret })).rejects.toThrow();
  });
});
