import { randomUUID } from 'node:crypto';
import { writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentHandle } from '@metervision/agent';
import type { CloudHandle } from '@metervision/cloud';
import { describeEachDialect } from '@metervision/cloud/testing/dialects';
import { renderMeter } from '@metervision/firmware-sim';
import { encodePayload, topics } from '@metervision/protocol';
import { MeterReader } from '@metervision/vision';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Api } from '../support/api.ts';
import { ADMIN, createMeter, registerDevice, startFolderAgent, startTestCloud, tempFolder, waitFor } from '../support/stack.ts';

const DEVICE_ID = 'e2e-cam-restart';
const SERIAL = 'RESTART-0001';
const PHOTOS = 6;

describeEachDialect('broker restart', (target) => {
  let reader: MeterReader;
  let cloud: CloudHandle;
  let agent: AgentHandle;
  let api: Api;
  let databaseUrl: string;
  let secret: string;
  const photos = tempFolder('restart');

  beforeAll(async () => {
    reader = await MeterReader.create();
    databaseUrl = await target.createUrl();
    cloud = await startTestCloud({ dataDir: target.dataDir, databaseUrl });
    api = new Api(cloud.httpUrl);
    await api.login(ADMIN.username, ADMIN.password);

    const start = Date.now() / 1000 - 100;
    let layout;
    for (let index = 0; index < PHOTOS; index += 1) {
      const meter = await renderMeter({ value: 100.01234 + index * 0.0211, seed: index + 1 });
      layout = meter.layout;
      const path = join(photos.path, `photo-${index}.jpg`);
      writeFileSync(path, meter.image);
      utimesSync(path, start + index, start + index);
    }

    await createMeter(api, SERIAL, layout!);
    secret = await registerDevice(api, DEVICE_ID, SERIAL);
    agent = await startFolderAgent({ deviceId: DEVICE_ID, secret, mqttUrl: cloud.mqttUrl!, folder: photos.path, stateDir: join(target.dataDir, 'agent'), meterSerial: SERIAL, layout: layout!, reader });
  });

  afterAll(async () => {
    await agent?.close();
    await cloud?.close();
    await reader?.close();
    photos.remove();
    target.cleanup();
  });

  async function storedReadings(): Promise<{ id: string }[]> {
    return api.get<{ id: string }[]>(`/meters/${SERIAL}/readings?limit=100`);
  }

  it('loses no reading and stores none twice', async () => {
    await agent.captureNow();
    await agent.captureNow();
    await waitFor('2 stored readings', async () => ((await storedReadings()).length === 2 ? true : undefined));

    const mqttPort = cloud.mqttPort!;
    await cloud.close();
    await agent.captureNow();
    await agent.captureNow();
    expect(agent.status().outbox.pending).toBeGreaterThanOrEqual(2);

    cloud = await startTestCloud({ dataDir: target.dataDir, databaseUrl, mqttPort });
    api = new Api(cloud.httpUrl);
    await api.login(ADMIN.username, ADMIN.password);
    await agent.captureNow();
    await agent.captureNow();

    await waitFor('an empty outbox', async () => (agent.status().outbox.pending === 0 ? true : undefined));
    const readings = await waitFor(`${PHOTOS} stored readings`, async () => {
      const stored = await storedReadings();
      return stored.length >= PHOTOS ? stored : undefined;
    });
    expect(readings).toHaveLength(PHOTOS);
    expect(new Set(readings.map((reading) => reading.id)).size).toBe(PHOTOS);
  });

  it('stores a redelivered reading once', async () => {
    await agent.close();
    const readingId = randomUUID();
    const payload = encodePayload('readings', {
      v: 1,
      readingId,
      capturedAt: new Date().toISOString(),
      status: 'accepted',
      value: 100.2,
      text: '00100.2000',
      rawValue: 100.2,
      rawText: '00100.2000',
      confidence: 0.95,
    });

    const client = await mqtt.connectAsync(cloud.mqttUrl!, { clientId: DEVICE_ID, username: DEVICE_ID, password: secret, reconnectPeriod: 0 });
    try {
      await client.publishAsync(topics.readings(DEVICE_ID), payload, { qos: 1 });
      await client.publishAsync(topics.readings(DEVICE_ID), payload, { qos: 1 });
    } finally {
      await client.endAsync();
    }

    const readings = await waitFor('the redelivered reading', async () => {
      const stored = await storedReadings();
      return stored.some((reading) => reading.id === readingId) ? stored : undefined;
    });
    expect(readings.filter((reading) => reading.id === readingId)).toHaveLength(1);
    expect(readings).toHaveLength(PHOTOS + 1);
  });
});
