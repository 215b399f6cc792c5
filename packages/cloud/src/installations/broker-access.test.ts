import { encodePayload, topics } from '@metervision/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCloud, type CloudHandle } from '../start.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { seed, type SeededOrganization } from '../testing/seed.ts';
import { waitFor } from '../testing/services.ts';
import { expectJson, heartbeatBody, send, startAndPair, type PairingBody } from './testing/session.ts';

// Cameras paired through installation sessions, against the embedded broker: each is confined
// to its own topics, and only current credentials connect.

describeEachDialect('camera broker access', (target) => {
  let cloud: CloudHandle;
  let acme: SeededOrganization;
  let token: string;
  let first: PairingBody & { sessionId: string };
  let second: PairingBody & { sessionId: string };
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    cloud = await startCloud({ port: 0, mqttPort: 0, databaseUrl: await target.createUrl(), dataDir: target.dataDir, logger: pino({ level: 'silent' }), jwtSecret: 'broker-signing-key-0123456789abcdefghijkl' });
    const data = await seed(cloud.database, cloud.repos, 'acl');
    acme = data.organizations[0];
    const login = await cloud.app.request('/token', { method: 'POST', body: new URLSearchParams({ username: acme.members.installer, password: data.password }) });
    token = ((await login.json()) as { access_token: string }).access_token;

    const request = (path: string, init?: RequestInit) => cloud.app.request(path, init);
    const pairedFirst = await startAndPair(request, token, acme.meterSerial, 'acl-cam-1');
    first = { ...pairedFirst.pairing, sessionId: pairedFirst.started.session_id };
    const pairedSecond = await startAndPair(request, token, acme.meterSerial, 'acl-cam-2');
    second = { ...pairedSecond.pairing, sessionId: pairedSecond.started.session_id };
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    await cloud.close();
    target.cleanup();
  });

  const connect = async (clientId: string, password: string, username = clientId) => {
    const client = await mqtt.connectAsync(cloud.mqttUrl!, { clientId, username, password, reconnectPeriod: 0, connectTimeout: 5_000 });
    clients.push(client);
    return client;
  };

  it('stores MQTT heartbeats with clock skew', async () => {
    const camera = await connect(first.device_id, first.mqtt_password);
    await camera.publishAsync(topics.heartbeat(first.device_id), heartbeatBody({ sentAt: new Date(Date.now() - 8_000).toISOString() }), { qos: 1 });

    const latest = await cloud.repos.devices.latestHeartbeat(first.device_id);
    expect(latest?.via).toBe('mqtt');
    expect(latest!.clockSkewMs).toBeLessThan(-7_000);
    expect((await cloud.repos.devices.findById(first.device_id))?.status).toBe('online');
  });

  it('closes a camera publishing elsewhere', async () => {
    const victim = await connect(second.device_id, second.mqtt_password);
    await victim.subscribeAsync(topics.commands(second.device_id), { qos: 1 });
    const received: string[] = [];
    victim.on('message', (topic) => received.push(topic));

    const camera = await connect(first.device_id, first.mqtt_password);
    const closed = new Promise<void>((resolveClose) => camera.once('close', () => resolveClose()));
    camera.publish(topics.commands(second.device_id), encodePayload('commands', { v: 1, commandId: 'forged-command-1', issuedAt: new Date().toISOString(), type: 'reload' }), { qos: 1 });
    await closed;

    await new Promise((resolveDelay) => setTimeout(resolveDelay, 300));
    expect(received).toEqual([]);
  });

  it('refuses readings for another camera', async () => {
    const camera = await connect(first.device_id, first.mqtt_password);
    const closed = new Promise<void>((resolveClose) => camera.once('close', () => resolveClose()));
    camera.publish(topics.readings(second.device_id), '{}', { qos: 1 });
    await closed;
    expect(camera.connected).toBe(false);
  });

  it('grants only its own subscriptions', async () => {
    const camera = await connect(first.device_id, first.mqtt_password);
    const filters = [topics.config(first.device_id), topics.config(second.device_id), topics.commands(second.device_id), 'metervision/v1/devices/+/commands', '#'];
    // mqtt.js rejects a SUBACK holding a failure code (0x80) but keeps the packet on the error.
    const granted = await camera.subscribeAsync(filters, { qos: 1 }).then(
      (grants) => grants.map((grant) => grant.qos),
      (error: { packet?: { granted?: number[] } }) => error.packet?.granted ?? [],
    );
    expect(granted).toEqual([1, 128, 128, 128, 128]);
  });

  it('rejects an unknown camera', async () => {
    await expect(connect('acl-unknown-cam', 'any secret')).rejects.toThrow(/Bad username or password|Not authorized/i);
  });

  it('rejects a borrowed client id', async () => {
    await expect(connect(second.device_id, first.mqtt_password, first.device_id)).rejects.toThrow(/Not authorized/i);
  });

  it('rejects revoked credentials', async () => {
    const camera = await connect(second.device_id, second.mqtt_password);
    const closed = new Promise<void>((resolveClose) => camera.once('close', () => resolveClose()));
    await expectJson(send((path, init) => cloud.app.request(path, init), 'POST', `/api/installations/${second.sessionId}/revoke`, { token }), 200);

    await closed;
    await waitFor('connection closed', async () => !camera.connected, 2_000);
    await expect(connect(second.device_id, second.mqtt_password)).rejects.toThrow(/Bad username or password|Not authorized/i);
  });
});
