import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodePayload } from '@metervision/protocol';
import { InvalidOptionError } from './errors.ts';
import { checkFileDescriptors, runFleet, type Fleet } from './fleet.ts';
import { startTestBroker, type TestBroker } from './testing/broker.ts';

let broker: TestBroker;
let fleet: Fleet | null = null;

beforeEach(async () => {
  broker = await startTestBroker();
});

afterEach(async () => {
  await fleet?.close();
  fleet = null;
  await broker.close();
});

describe('runFleet', () => {
  it('connects every device', async () => {
    fleet = await runFleet({ count: 20, brokerUrl: broker.url, connectRatePerSecond: 500, readingIntervalSeconds: 0 });
    expect(fleet.failures).toEqual([]);
    expect(fleet.stats().connected).toBe(20);
    const online = new Set(broker.messages.filter((message) => message.topic.endsWith('/status')).map((message) => message.clientId));
    expect(online.size).toBe(20);
    expect(online.has('sim-00019')).toBe(true);
  });

  it('publishes readings from each device', async () => {
    fleet = await runFleet({ count: 5, brokerUrl: broker.url, connectRatePerSecond: 500, readingIntervalSeconds: 0.2 });
    await new Promise((resolve) => setTimeout(resolve, 700));
    const readings = broker.messages.filter((message) => message.topic.endsWith('/readings'));
    expect(new Set(readings.map((message) => message.clientId)).size).toBe(5);
    for (const message of readings) expect(decodePayload('readings', message.payload).ok).toBe(true);
    expect(fleet.stats().readingsAcknowledged).toBeGreaterThanOrEqual(5);
  });

  it('ramps at the given rate', async () => {
    const started = performance.now();
    fleet = await runFleet({ count: 10, brokerUrl: broker.url, connectRatePerSecond: 20, readingIntervalSeconds: 0 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(430);
  });

  it('lists devices that fail to connect', async () => {
    await broker.close();
    broker = await startTestBroker({ passwords: { 'sim-00000': 'right', 'sim-00001': 'right' } });
    fleet = await runFleet({
      count: 2,
      brokerUrl: broker.url,
      password: (deviceId) => (deviceId === 'sim-00001' ? 'wrong' : 'right'),
      readingIntervalSeconds: 0,
    });
    expect(fleet.devices.map((device) => device.deviceId)).toEqual(['sim-00000']);
    expect(fleet.failures[0]?.deviceId).toBe('sim-00001');
  });

  it('rejects more devices than free file descriptors', () => {
    expect(() => checkFileDescriptors(1_000, 1_024, 10)).toThrow('needs 1000 sockets but only 950 file descriptors are free (soft limit 1024)');
    expect(() => checkFileDescriptors(900, 1_024, 10)).not.toThrow();
  });

  it('rejects an invalid count', async () => {
    const error = await runFleet({ count: 0, brokerUrl: broker.url }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).issues[0]?.path).toBe('count');
  });
});
