import { encodePayload, topics } from '@metervision/protocol';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readingMessage } from './testing/messages.ts';
import { startCloud, type CloudHandle } from './start.ts';
import { describeEachDialect } from './testing/dialects.ts';
import { seed, type SeededOrganization } from './testing/seed.ts';
import { waitFor } from './testing/services.ts';

describeEachDialect('startCloud restart', (target) => {
  let url: string;
  let cloud: CloudHandle;
  let acme: SeededOrganization;
  const options = () => ({ databaseUrl: url, dataDir: target.dataDir, logger: pino({ level: 'silent' }), jwtSecret: 'y'.repeat(40) });

  beforeAll(async () => {
    url = await target.createUrl();
    cloud = await startCloud({ ...options(), port: 0, mqttPort: 0 });
    acme = (await seed(cloud.database, cloud.repos, 'rs')).organizations[0];
  });

  afterAll(async () => {
    await cloud.close();
    target.cleanup();
  });

  it('loses and duplicates nothing across restart', async () => {
    const ports = { port: cloud.httpPort, mqttPort: cloud.mqttPort! };
    const device = await mqtt.connectAsync(cloud.mqttUrl!, { clientId: acme.deviceId, username: acme.deviceId, password: acme.deviceSecret, reconnectPeriod: 200 });
    const payloads = Array.from({ length: 10 }, () => encodePayload('readings', readingMessage()));
    const publish = (payload: string) => device.publishAsync(topics.readings(acme.deviceId), payload, { qos: 1 });

    await Promise.all(payloads.slice(0, 5).map(publish));
    await cloud.close();

    // Published while the cloud is down: mqtt.js keeps them until a PUBACK arrives.
    const pending = Promise.all(payloads.slice(5).map(publish));
    cloud = await startCloud({ ...options(), ...ports });
    await pending;
    await Promise.all(payloads.slice(0, 5).map(publish));

    await waitFor('ten readings', async () => (await cloud.repos.readings.listForMeter(acme.meterId, { limit: 1, offset: 0 })).total === 10);
    const stored = await cloud.repos.readings.listForMeter(acme.meterId, { limit: 100, offset: 0 });
    expect(stored.total).toBe(10);
    expect(cloud.httpPort).toBe(ports.port);
    await device.endAsync();
  });

  it('serves HTTP after restart', async () => {
    const response = await fetch(`${cloud.httpUrl}/healthz`);
    expect(response.status).toBe(200);
  });
});
