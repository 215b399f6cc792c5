import { join } from 'node:path';
import { type AgentHandle, discoveryMessages, resolveAgentConfig, startAgent } from '@metervision/agent';
import { deviceConfigSchema, encodePayload, topics } from '@metervision/protocol';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudHandle } from '../start.ts';
import { readingMessage } from '../testing/messages.ts';
import { SEED_LAYOUT, type SeededOrganization } from '../testing/seed.ts';
import { waitFor } from '../testing/services.ts';
import { MAX_RETAINED_PAYLOAD_BYTES, MAX_RETAINED_TOPIC_BYTES, MAX_RETAINED_TOPICS_PER_DEVICE } from './retained-policy.ts';
import { startBrokerFixture, type BrokerFixture } from './testing.ts';

// A device may keep retained messages only where a reader needs them (its status and its Home
// Assistant discovery configs), each small, on a bounded number of topics.

const REJECTED = 'retain flag dropped';

/** The Home Assistant node id the edge agent derives from a device id. */
const agentNodeId = (deviceId: string) => `metervision_${deviceId}`;

describe('embedded broker retained messages', () => {
  let fixture: BrokerFixture;
  let cloud: CloudHandle;
  let acme: SeededOrganization;
  let globex: SeededOrganization;

  beforeAll(async () => {
    fixture = await startBrokerFixture('rt');
    ({ cloud, acme, globex } = fixture);
  });

  afterAll(() => fixture.close());

  const connect = (org: SeededOrganization) => fixture.connect(org);
  const rejections = () => fixture.logs.filter((line) => line.msg === REJECTED);
  const discoveryTopic = (org: SeededOrganization, object: string) => `homeassistant/sensor/${agentNodeId(org.deviceId)}/${object}/config`;

  /** Publishes a retained message whose retain flag the broker must drop: it acknowledges it and keeps the connection. */
  const expectRetainDropped = async (device: MqttClient, topic: string, payload: string | Buffer) => {
    const before = rejections().length;
    await device.publishAsync(topic, payload, { qos: 1, retain: true });
    expect(device.connected).toBe(true);
    expect(rejections()).toHaveLength(before + 1);
    return rejections().at(-1)!;
  };

  it('accepts the real agent retained messages', async () => {
    const stateDir = join(fixture.dataDir, 'agent-state');
    const config = await resolveAgentConfig({
      deviceId: acme.deviceId,
      stateDir,
      logLevel: 'silent',
      source: { type: 'folder', path: join(fixture.dataDir, 'no-images') },
      mqtt: { url: cloud.mqttUrl, username: acme.deviceId, password: acme.deviceSecret, reconnectPeriodMs: 200 },
      cloud: { httpHeartbeat: false },
      meter: { meterSerial: acme.meterSerial, layout: SEED_LAYOUT, homeAssistant: { enabled: true } },
      watchdog: false,
    });
    const discovered = new Map<string, Buffer>();
    const unsubscribe = await cloud.bus.subscribe('homeassistant/#', (topic, payload) => discovered.set(topic, payload));
    // The agent captures nothing here (no schedule, no image), so it never reads an image.
    const reader = { read: () => Promise.reject(new Error('this test captures no image')) };

    let agent: AgentHandle | null = await startAgent(config, { reader, schedule: false });
    try {
      await waitFor('the agent discovery messages', async () => discovered.size === 2, 10_000);
      expect([...discovered.keys()].sort()).toEqual([discoveryTopic(acme, 'confidence'), discoveryTopic(acme, 'meter')]);
      for (const payload of discovered.values()) expect(payload.length).toBeLessThan(MAX_RETAINED_PAYLOAD_BYTES);
      await waitFor('the online status', async () => (await cloud.repos.devices.findById(acme.deviceId))?.status === 'online', 5_000);
      expect(agent.status().connected).toBe(true);
    } finally {
      // Closing publishes the retained offline status.
      await agent.close();
      agent = null;
      await unsubscribe();
    }

    await waitFor('the offline status', async () => (await cloud.repos.devices.findById(acme.deviceId))?.status === 'offline', 5_000);
    expect(rejections()).toEqual([]);
  });

  it('accepts agent discovery removal', async () => {
    const device = await connect(acme);
    const config = deviceConfigSchema.parse({ v: 1, version: 2, layout: SEED_LAYOUT, homeAssistant: { enabled: false } });
    const removals = discoveryMessages(acme.deviceId, config, '1.0.0');
    expect(removals.map((message) => message.payload)).toEqual(['', '']);

    for (const message of removals) await device.publishAsync(message.topic, message.payload, { qos: 1, retain: true });

    expect(device.connected).toBe(true);
    expect(rejections()).toEqual([]);
  });

  it('stores a retained reading unretained', async () => {
    const device = await connect(acme);
    const message = readingMessage();

    const rejected = await expectRetainDropped(device, topics.readings(acme.deviceId), encodePayload('readings', message));

    expect(rejected).toMatchObject({ deviceId: acme.deviceId, topic: topics.readings(acme.deviceId) });
    expect(await cloud.repos.readings.exists(message.readingId)).toBe(true);
  });

  it('rejects retained Home Assistant state', async () => {
    const device = await connect(acme);
    const stateTopic = `homeassistant/sensor/${agentNodeId(acme.deviceId)}/meter/state`;
    await device.publishAsync(stateTopic, '123.45', { qos: 1 });
    expect(device.connected).toBe(true);

    const rejected = await expectRetainDropped(device, stateTopic, '123.45');
    expect(rejected).toMatchObject({ deviceId: acme.deviceId, topic: stateTopic });
  });

  it('caps the retained topic length', async () => {
    const device = await connect(acme);
    const topic = discoveryTopic(acme, 'x'.repeat(MAX_RETAINED_TOPIC_BYTES));

    const rejected = await expectRetainDropped(device, topic, '{}');
    expect(rejected.reason).toMatch(/topic of \d+ bytes is over the limit/);
  });

  it('caps the retained payload size', async () => {
    const device = await connect(acme);
    const topic = discoveryTopic(acme, 'large');
    await device.publishAsync(topic, Buffer.alloc(MAX_RETAINED_PAYLOAD_BYTES, 'x'), { qos: 1, retain: true });
    expect(device.connected).toBe(true);

    const rejected = await expectRetainDropped(device, topic, Buffer.alloc(MAX_RETAINED_PAYLOAD_BYTES + 1, 'x'));
    expect(rejected).toMatchObject({ deviceId: acme.deviceId, topic, payloadBytes: MAX_RETAINED_PAYLOAD_BYTES + 1 });
  });

  it('rejects 3 MiB retained discovery', async () => {
    const device = await connect(acme);
    const rejected = await expectRetainDropped(device, discoveryTopic(acme, 'bulk'), Buffer.alloc(3 * 1024 * 1024, 'x'));
    expect(rejected.payloadBytes).toBe(3 * 1024 * 1024);
  });

  it('caps retained topics per device', async () => {
    let device = await connect(globex);
    await device.publishAsync(topics.status(globex.deviceId), encodePayload('status', { v: 1, state: 'online', at: new Date().toISOString() }), { qos: 1, retain: true });
    for (let index = 1; index < MAX_RETAINED_TOPICS_PER_DEVICE; index++) {
      await device.publishAsync(discoveryTopic(globex, `entity${index}`), '{}', { qos: 1, retain: true });
    }
    expect(device.connected).toBe(true);

    const rejected = await expectRetainDropped(device, discoveryTopic(globex, 'one-too-many'), '{}');
    expect(rejected).toMatchObject({ deviceId: globex.deviceId, topic: discoveryTopic(globex, 'one-too-many') });
    expect(rejected.reason).toMatch(/64 topics/);
  });

  it('frees a slot on clearing', async () => {
    const device = await connect(globex);
    await device.publishAsync(discoveryTopic(globex, 'entity1'), '{"again":true}', { qos: 1, retain: true });
    await device.publishAsync(discoveryTopic(globex, 'entity2'), '', { qos: 1, retain: true });
    await device.publishAsync(discoveryTopic(globex, 'replacement'), '{}', { qos: 1, retain: true });
    expect(device.connected).toBe(true);

    await expectRetainDropped(device, discoveryTopic(globex, 'still-too-many'), '{}');
  });

  it('counts topics per device', async () => {
    const device = await connect(acme);
    await device.publishAsync(discoveryTopic(acme, 'own-entity'), '{}', { qos: 1, retain: true });
    expect(device.connected).toBe(true);
  });
});
