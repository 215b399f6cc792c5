import { encodePayload, topics } from '@metervision/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startCloud, type CloudHandle } from '../start.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { testJpeg } from '../testing/images.ts';
import { readingMessage } from '../testing/messages.ts';
import { seed, type SeededOrganization } from '../testing/seed.ts';

// MQTT 3.1.1 has no negative PUBACK: a device whose message is not acknowledged sends it again
// after every reconnect. So a payload that can never be stored must be acknowledged, logged once
// with the device id and counted, and the device must stay connected.

interface LogLine {
  msg: string;
  deviceId?: string;
  kind?: string;
  issues?: { path: string; message: string }[];
}

describeEachDialect('invalid device payloads', (target) => {
  let cloud: CloudHandle;
  let acme: SeededOrganization;
  let device: MqttClient;
  const logs: LogLine[] = [];
  const pubacks: number[] = [];

  beforeAll(async () => {
    const logger = pino({ level: 'warn' }, { write: (line: string) => logs.push(JSON.parse(line) as LogLine) });
    cloud = await startCloud({ port: 0, mqttPort: 0, databaseUrl: await target.createUrl(), dataDir: target.dataDir, logger, jwtSecret: 'i'.repeat(40) });
    acme = (await seed(cloud.database, cloud.repos, 'inv')).organizations[0];
    device = await mqtt.connectAsync(cloud.mqttUrl!, { clientId: acme.deviceId, username: acme.deviceId, password: acme.deviceSecret, reconnectPeriod: 0 });
    device.on('packetreceive', (packet) => {
      if (packet.cmd === 'puback') pubacks.push(packet.messageId!);
    });
  });

  afterAll(async () => {
    await device.endAsync(true);
    await cloud.close();
    target.cleanup();
  });

  beforeEach(() => {
    logs.length = 0;
  });

  /** Publishes at QoS 1 and returns the message id once the broker acknowledged it. */
  const publish = async (kind: 'readings' | 'heartbeat', payload: string): Promise<number> => {
    const sent = await device.publishAsync(kind === 'readings' ? topics.readings(acme.deviceId) : topics.heartbeat(acme.deviceId), payload, { qos: 1 });
    return sent!.messageId!;
  };
  const invalidLogs = () => logs.filter((line) => line.msg === 'invalid payload acknowledged and dropped');

  it('acknowledges a reading failing the schema', async () => {
    const before = cloud.ingestion.counters.invalid;

    const messageId = await publish('readings', JSON.stringify({ ...readingMessage(), readingId: 'short', confidence: 7 }));

    expect(pubacks).toContain(messageId);
    expect(cloud.ingestion.counters.invalid).toBe(before + 1);
    expect(invalidLogs()).toHaveLength(1);
    expect(invalidLogs()[0]).toMatchObject({ deviceId: acme.deviceId, kind: 'readings' });
    expect(invalidLogs()[0]!.issues!.map((issue) => issue.path).sort()).toEqual(['confidence', 'readingId']);
    expect(device.connected).toBe(true);
  });

  it('acknowledges a payload not JSON', async () => {
    const before = cloud.ingestion.counters.invalid;

    const messageId = await publish('readings', 'not json {');

    expect(pubacks).toContain(messageId);
    expect(cloud.ingestion.counters.invalid).toBe(before + 1);
    expect(invalidLogs()).toHaveLength(1);
    expect(invalidLogs()[0]).toMatchObject({ deviceId: acme.deviceId, kind: 'readings' });
    expect(invalidLogs()[0]!.issues![0]!.message).toMatch(/not valid JSON/);
    expect(device.connected).toBe(true);
  });

  it('acknowledges a heartbeat failing the schema', async () => {
    const before = cloud.ingestion.counters.invalid;

    const messageId = await publish('heartbeat', JSON.stringify({ v: 1, sentAt: 'yesterday' }));

    expect(pubacks).toContain(messageId);
    expect(cloud.ingestion.counters.invalid).toBe(before + 1);
    expect(invalidLogs()).toHaveLength(1);
    expect(invalidLogs()[0]).toMatchObject({ deviceId: acme.deviceId, kind: 'heartbeat' });
    expect(device.connected).toBe(true);
  });

  it('acknowledges text the database rejects', async () => {
    // PostgreSQL text and jsonb cannot hold a NUL character, so that row can never be stored.
    // SQLite stores it.
    const message = readingMessage({ text: '00123\u000045', image: { contentType: 'image/jpeg', data: (await testJpeg()).toString('base64') } });
    const before = { ...cloud.ingestion.counters };

    const messageId = await publish('readings', encodePayload('readings', message));

    expect(pubacks).toContain(messageId);
    expect(device.connected).toBe(true);
    if (target.dialect === 'pg') {
      expect(cloud.ingestion.counters.invalid).toBe(before.invalid + 1);
      expect(invalidLogs()).toHaveLength(1);
      expect(invalidLogs()[0]!.issues![0]!.message).toMatch(/database rejected a value \(22021\)/);
      expect(await cloud.repos.readings.exists(message.readingId)).toBe(false);
    } else {
      expect(cloud.ingestion.counters.readingsStored).toBe(before.readingsStored + 1);
      expect((await cloud.repos.readings.findForMeter(acme.meterId, message.readingId))?.text).toBe('00123\u000045');
    }
  });

  it('keeps storing after invalid payloads', async () => {
    const message = readingMessage();

    await publish('readings', encodePayload('readings', message));

    expect(await cloud.repos.readings.exists(message.readingId)).toBe(true);
    expect(invalidLogs()).toEqual([]);
  });
});
