import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePayload, topics } from '@metervision/protocol';
import { MOSQUITTO_BINARY, startMosquitto, type MosquittoBroker } from '../testing/mosquitto.ts';
import { SimulatedDevice } from './simulated-device.ts';

const REQUIRE_SERVICES = process.env.METERVISION_REQUIRE_SERVICES === '1';
if (!MOSQUITTO_BINARY && !REQUIRE_SERVICES) console.warn('SimulatedDevice on mosquitto skipped: mosquitto is not installed (apt-get install mosquitto)');

describe.skipIf(!MOSQUITTO_BINARY && !REQUIRE_SERVICES)('SimulatedDevice on mosquitto', () => {
  let broker: MosquittoBroker;

  beforeAll(async () => {
    broker = await startMosquitto();
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('answers a command through mosquitto', async () => {
    const cloud = await mqtt.connectAsync(broker.url, { clientId: 'cloud-test' });
    await cloud.subscribeAsync('metervision/v1/devices/+/#', { qos: 1 });
    const received = new Map<string, Buffer>();
    cloud.on('message', (topic, payload) => received.set(topic, payload));

    const device = await SimulatedDevice.start({ deviceId: 'cam-m1', brokerUrl: broker.url, startValue: 77.12345, flowM3PerHour: 0, knobs: { readingIntervalSeconds: 0 } });
    try {
      const command = { v: 1, commandId: 'cmd-mosquitto-1', issuedAt: new Date().toISOString(), type: 'capture_now' };
      await cloud.publishAsync(topics.commands('cam-m1'), JSON.stringify(command), { qos: 1 });
      await expect.poll(() => received.has(topics.commandResult('cam-m1')), { timeout: 5_000 }).toBe(true);

      const reading = decodePayload('readings', received.get(topics.readings('cam-m1')) ?? Buffer.from(''));
      if (!reading.ok) throw new Error(`invalid reading: ${JSON.stringify(reading.issues)}`);
      expect(reading.value.text).toBe('00077.1234');
      const status = decodePayload('status', received.get(topics.status('cam-m1')) ?? Buffer.from(''));
      if (!status.ok) throw new Error(`invalid status: ${JSON.stringify(status.issues)}`);
      expect(status.value.state).toBe('online');
    } finally {
      await device.close();
      await cloud.endAsync();
    }
  });
});
