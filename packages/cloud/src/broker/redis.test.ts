import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePayload, topics } from '@metervision/protocol';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startCloud, type CloudHandle } from '../start.ts';
import { readingMessage } from '../testing/messages.ts';
import { createTestDatabase } from '../testing/postgres.ts';
import { startTestRedis, type TestRedis } from '../testing/redis.ts';
import { seed, type SeededOrganization } from '../testing/seed.ts';
import { MAX_RETAINED_TOPICS_PER_DEVICE } from './retained-policy.ts';

const redis = await startTestRedis();
const postgresUrl = inject('postgresUrl');
let skipReason: string | null = null;
if ('skipped' in redis) skipReason = redis.skipped;
else if (!postgresUrl) skipReason = inject('postgresSkipReason');

describe.skipIf(skipReason !== null)(`two nodes on Redis and PostgreSQL${skipReason ? `: ${skipReason}` : ''}`, () => {
  const nodes: CloudHandle[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'metervision-redis-'));
  const warnings: { msg: string; topic?: string }[] = [];
  let acme: SeededOrganization;

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase(postgresUrl!);
    const options = { port: 0, mqttPort: 0, databaseUrl, dataDir, redisUrl: (redis as TestRedis).url, jwtSecret: 'z'.repeat(40), logger: pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) }) };
    nodes.push(await startCloud(options), await startCloud(options));
    acme = (await seed(nodes[0]!.database, nodes[0]!.repos, 'rd')).organizations[0];
  });

  afterAll(async () => {
    for (const node of nodes) await node.close();
    if (!('skipped' in redis)) await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers a publish across nodes', async () => {
    const [first, second] = nodes as [CloudHandle, CloudHandle];
    const device = await mqtt.connectAsync(first.mqttUrl!, { clientId: acme.deviceId, username: acme.deviceId, password: acme.deviceSecret, reconnectPeriod: 0 });
    await device.subscribeAsync(topics.commands(acme.deviceId), { qos: 1 });

    const received = new Promise<string>((resolveMessage) => device.once('message', (_topic, payload) => resolveMessage(payload.toString())));
    await second.bus.publish(topics.commands(acme.deviceId), '{"from":"second"}', { qos: 1 });
    expect(await received).toBe('{"from":"second"}');
    await device.endAsync();
  });

  it('keeps retained messages across nodes', async () => {
    const [first, second] = nodes as [CloudHandle, CloudHandle];
    await second.bus.publish(topics.config(acme.deviceId), '{"version":7}', { qos: 1, retain: true });

    const device = await mqtt.connectAsync(first.mqttUrl!, { clientId: acme.deviceId, username: acme.deviceId, password: acme.deviceSecret, reconnectPeriod: 0 });
    const received = new Promise<string>((resolveMessage) => device.once('message', (_topic, payload) => resolveMessage(payload.toString())));
    await device.subscribeAsync(topics.config(acme.deviceId), { qos: 1 });
    expect(await received).toBe('{"version":7}');
    await device.endAsync();
  });

  it('disconnects a revoked device on any node', async () => {
    const [first, second] = nodes as [CloudHandle, CloudHandle];
    const device = await mqtt.connectAsync(first.mqttUrl!, { clientId: acme.deviceId, username: acme.deviceId, password: acme.deviceSecret, reconnectPeriod: 0 });
    const closed = new Promise<void>((resolveClose) => device.once('close', () => resolveClose()));
    second.bus.disconnectDevice(acme.deviceId);
    await closed;
    expect(device.connected).toBe(false);
  });

  it('stores a reading once for both nodes', async () => {
    const [first, second] = nodes as [CloudHandle, CloudHandle];
    const device = await mqtt.connectAsync(second.mqttUrl!, { clientId: acme.deviceId, username: acme.deviceId, password: acme.deviceSecret, reconnectPeriod: 0 });
    const message = readingMessage();
    await device.publishAsync(topics.readings(acme.deviceId), encodePayload('readings', message), { qos: 1 });

    expect(await first.repos.readings.findForMeter(acme.meterId, message.readingId)).not.toBeNull();
    expect(first.ingestion.counters.readingsStored + second.ingestion.counters.readingsStored).toBe(1);
    await device.endAsync();
  });

  it('caps retained topics across nodes', async () => {
    const [first, second] = nodes as [CloudHandle, CloudHandle];
    const connect = (node: CloudHandle) => mqtt.connectAsync(node.mqttUrl!, { clientId: acme.deviceId, username: acme.deviceId, password: acme.deviceSecret, reconnectPeriod: 0 });
    const discoveryTopic = (index: number) => `homeassistant/sensor/metervision_${acme.deviceId}/entity${index}/config`;
    const half = MAX_RETAINED_TOPICS_PER_DEVICE / 2;

    const onFirst = await connect(first);
    for (let index = 0; index < half; index++) await onFirst.publishAsync(discoveryTopic(index), '{}', { qos: 1, retain: true });
    await onFirst.endAsync();
    const onSecond = await connect(second);
    for (let index = half; index < MAX_RETAINED_TOPICS_PER_DEVICE; index++) await onSecond.publishAsync(discoveryTopic(index), '{}', { qos: 1, retain: true });
    expect(onSecond.connected).toBe(true);

    await onSecond.publishAsync(discoveryTopic(MAX_RETAINED_TOPICS_PER_DEVICE), '{}', { qos: 1, retain: true });
    const dropped = warnings.filter((line) => line.msg === 'retain flag dropped').map((line) => line.topic);
    expect(dropped).toEqual([discoveryTopic(MAX_RETAINED_TOPICS_PER_DEVICE)]);
    await onSecond.endAsync();

    const again = await connect(first);
    await again.publishAsync(discoveryTopic(0), '{"again":true}', { qos: 1, retain: true });
    expect(again.connected).toBe(true);
    await again.endAsync();
  });
});
