import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePayload, topics } from '@metervision/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories } from '../repositories.ts';
import { openDatabase } from '../db/database.ts';
import { startCloud, type CloudHandle } from '../start.ts';
import { readingMessage } from '../testing/messages.ts';
import { startTestMosquitto, type TestMosquitto } from '../testing/mosquitto.ts';
import { seed, type SeededOrganization } from '../testing/seed.ts';
import { waitFor } from '../testing/services.ts';

// The ACL is taken from docs/api.md, so the documented Mosquitto setup is the one tested.
const DOC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../docs/api.md');
const documentedAcl = /# \/etc\/mosquitto\/acl\n([\s\S]*?)```/.exec(readFileSync(DOC, 'utf8'))![1]!.replace(/^ {2}/gm, '');

const SERVICE = { username: 'metervision-cloud', password: 'service account password' };
const dataDir = mkdtempSync(join(tmpdir(), 'metervision-external-'));
const logger = pino({ level: 'silent' });

const database = await openDatabase({ url: join(dataDir, 'cloud.db'), logger });
const acme: SeededOrganization = (await seed(database, createRepositories(database), 'ex')).organizations[0];
await database.close();

const mosquitto = await startTestMosquitto(documentedAcl, { [SERVICE.username]: SERVICE.password, [acme.deviceId]: acme.deviceSecret });
const skipReason = 'skipped' in mosquitto ? mosquitto.skipped : null;

describe.skipIf(skipReason !== null)(`cloud behind Mosquitto${skipReason ? `: ${skipReason}` : ''}`, () => {
  let cloud: CloudHandle;
  let device: MqttClient;

  beforeAll(async () => {
    const broker = mosquitto as TestMosquitto;
    cloud = await startCloud({ port: 0, databaseUrl: join(dataDir, 'cloud.db'), dataDir, logger, jwtSecret: 'e'.repeat(40), mqttBrokerUrl: broker.url, mqttUsername: SERVICE.username, mqttPassword: SERVICE.password });
    device = await mqtt.connectAsync(broker.url, { clientId: acme.deviceId, username: acme.deviceId, password: acme.deviceSecret, reconnectPeriod: 0 });
  });

  afterAll(async () => {
    await device?.endAsync();
    await cloud?.close();
    if (!('skipped' in mosquitto)) await mosquitto.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores a reading through Mosquitto', async () => {
    const message = readingMessage();
    await device.publishAsync(topics.readings(acme.deviceId), encodePayload('readings', message), { qos: 1 });
    await waitFor('stored reading', async () => (await cloud.repos.readings.findForMeter(acme.meterId, message.readingId)) !== null, 5_000);
    expect(cloud.mqttPort).toBeNull();
  });

  it('delivers a command to the device', async () => {
    await device.subscribeAsync(topics.commands(acme.deviceId), { qos: 1 });
    const received = new Promise<string>((resolveMessage) => device.once('message', (_topic, payload) => resolveMessage(payload.toString())));
    await cloud.bus.publish(topics.commands(acme.deviceId), '{"via":"mosquitto"}', { qos: 1 });
    expect(await received).toBe('{"via":"mosquitto"}');
  });

  it('confines the device to its topics', async () => {
    const seen: string[] = [];
    const unsubscribe = await cloud.bus.subscribe('metervision/v1/devices/+/heartbeat', (topic) => seen.push(topic));
    const heartbeat = encodePayload('heartbeat', { v: 1, sentAt: new Date().toISOString(), firmwareVersion: '1.0.0', uptimeSeconds: 1, freeMemoryBytes: 1 });

    await device.publishAsync(topics.heartbeat('another-device'), heartbeat, { qos: 1 }).catch(() => undefined);
    await device.publishAsync(topics.heartbeat(acme.deviceId), heartbeat, { qos: 1 });
    await waitFor('own heartbeat', async () => seen.length > 0, 5_000);
    await unsubscribe();
    expect(seen).toEqual([topics.heartbeat(acme.deviceId)]);
  });
});
