import { randomBytes, randomUUID } from 'node:crypto';
import { encodePayload, topics } from '@metervision/protocol';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudHandle } from '../start.ts';
import { readingMessage } from '../testing/messages.ts';
import type { SeededOrganization } from '../testing/seed.ts';
import { DEFAULT_MAX_PACKET_BYTES } from './packet-guard.ts';
import { startBrokerFixture, type BrokerFixture } from './testing.ts';

// The embedded broker must take the largest message a device sends (a 2 MiB image as base64 in
// JSON) and close only the connection of a device that declares a packet over the limit.

/** Size of a QoS 1 PUBLISH packet: fixed header, topic, message id, payload. */
function publishPacketBytes(topic: string, payloadBytes: number): number {
  const remaining = 2 + Buffer.byteLength(topic) + 2 + payloadBytes;
  let lengthBytes = 1;
  while (remaining >= 128 ** lengthBytes) lengthBytes++;
  return 1 + lengthBytes + remaining;
}

/** Payload size that makes a QoS 1 PUBLISH of 2-256 MiB exactly `packetBytes` long (4 remaining-length bytes). */
function payloadBytesFor(topic: string, packetBytes: number): number {
  const payloadBytes = packetBytes - (1 + 4 + 2 + Buffer.byteLength(topic) + 2);
  expect(publishPacketBytes(topic, payloadBytes)).toBe(packetBytes);
  return payloadBytes;
}

describe('embedded broker packet size', () => {
  let fixture: BrokerFixture;
  let cloud: CloudHandle;
  let acme: SeededOrganization;
  let globex: SeededOrganization;

  beforeAll(async () => {
    fixture = await startBrokerFixture('pk');
    ({ cloud, acme, globex } = fixture);
  });

  afterAll(() => fixture.close());

  const connect = (org: SeededOrganization) => fixture.connect(org);

  it('accepts a 2 MiB image message', async () => {
    const device = await connect(acme);
    // A JPEG start-of-image marker, then bytes that compress as badly as a photo.
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(2 * 1024 * 1024 - 4)]);
    const payload = encodePayload('images', { v: 1, imageId: randomUUID(), capturedAt: new Date().toISOString(), width: 1920, height: 1080, image: { contentType: 'image/jpeg', data: jpeg.toString('base64') } });
    expect(payload.length).toBeGreaterThan(2_790_000);
    const received = new Promise<Buffer>((resolveMessage) => {
      void cloud.bus.subscribe(topics.images(acme.deviceId), (_topic, message) => resolveMessage(message));
    });
    const invalid = cloud.ingestion.counters.invalid;

    await device.publishAsync(topics.images(acme.deviceId), payload, { qos: 1 });

    expect((await received).length).toBe(payload.length);
    expect(cloud.ingestion.counters.invalid).toBe(invalid);
    expect(device.connected).toBe(true);
  });

  it('accepts a large publish right after CONNECT', async () => {
    // mqtt.js sends a publish queued before the CONNACK as soon as the CONNACK arrives, as an
    // agent does when it flushes its outbox. The broker may not have finished the connection then.
    const device = mqtt.connect(cloud.mqttUrl!, { clientId: acme.deviceId, username: acme.deviceId, password: acme.deviceSecret, reconnectPeriod: 0 });
    fixture.clients.push(device);
    const message = readingMessage({ status: 'flagged', value: null, image: { contentType: 'image/jpeg', data: randomBytes(2 * 1024 * 1024).toString('base64') } });

    await device.publishAsync(topics.readings(acme.deviceId), encodePayload('readings', message), { qos: 1 });

    expect(await cloud.repos.readings.exists(message.readingId)).toBe(true);
    expect(device.connected).toBe(true);
  });

  it('accepts a packet at the limit', async () => {
    const device = await connect(acme);
    const topic = topics.images(acme.deviceId);
    const payloadBytes = payloadBytesFor(topic, DEFAULT_MAX_PACKET_BYTES);
    const invalid = cloud.ingestion.counters.invalid;

    // Not JSON: acknowledged and counted as invalid, which proves the broker read it whole.
    await device.publishAsync(topic, Buffer.alloc(payloadBytes, 'x'), { qos: 1 });

    expect(cloud.ingestion.counters.invalid).toBe(invalid + 1);
    expect(device.connected).toBe(true);
  });

  it('closes a connection over the limit', async () => {
    const device = await connect(acme);
    const bystander = await connect(globex);
    const topic = topics.images(acme.deviceId);
    const payloadBytes = payloadBytesFor(topic, DEFAULT_MAX_PACKET_BYTES + 1);
    const closed = new Promise<void>((resolveClose) => device.once('close', () => resolveClose()));

    device.publish(topic, Buffer.alloc(payloadBytes, 'x'), { qos: 1 }, () => undefined);
    await closed;

    const rejected = fixture.logs.filter((line) => line.msg === 'packet larger than the maximum packet size; connection closed');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ deviceId: acme.deviceId, packetBytes: DEFAULT_MAX_PACKET_BYTES + 1, maxPacketBytes: DEFAULT_MAX_PACKET_BYTES });
    expect(bystander.connected).toBe(true);
  });

  it('keeps serving other devices', async () => {
    const bystander = fixture.clients.find((client) => client.options.clientId === globex.deviceId && client.connected)!;
    const message = readingMessage();
    await bystander.publishAsync(topics.readings(globex.deviceId), encodePayload('readings', message), { qos: 1 });
    expect(await cloud.repos.readings.exists(message.readingId)).toBe(true);

    const reconnected = await connect(acme);
    const next = readingMessage();
    await reconnected.publishAsync(topics.readings(acme.deviceId), encodePayload('readings', next), { qos: 1 });
    expect(await cloud.repos.readings.exists(next.readingId)).toBe(true);
    expect((await fetch(`${cloud.httpUrl}/healthz`)).status).toBe(200);
  });
});
