import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mqttSettingsSchema } from '../config/schema.ts';
import { MOSQUITTO, MosquittoBroker, REQUIRE_SERVICES } from '../testing/broker.ts';
import { waitFor } from '../testing/collector.ts';
import { collectLogs, INFO, WARN } from '../testing/log-sink.ts';
import { connectMqtt } from './connection.ts';

const describeWithBroker = MOSQUITTO || REQUIRE_SERVICES ? describe : describe.skip;
if (!MOSQUITTO && !REQUIRE_SERVICES) console.warn('broker outage tests skipped: mosquitto is not installed (apt-get install mosquitto)');

let broker: Aedes;
let server: Server;
let url: string;
let attempts: number;

beforeEach(async () => {
  attempts = 0;
  broker = await Aedes.createBroker({
    authenticate: (_client, username, password, done) => {
      attempts += 1;
      const ok = username === 'cam-1' && password?.toString() === 'right';
      done(ok ? null : Object.assign(new Error('bad credentials'), { returnCode: 4 }), ok);
    },
  });
  server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  await new Promise<void>((resolve) => broker.close(() => resolve()));
});

describe('mqtt connection', () => {
  it('backs off on rejected credentials', async () => {
    const settings = mqttSettingsSchema.parse({ reconnectPeriodMs: 100 });
    const client = connectMqtt({ deviceId: 'cam-1', url, username: 'cam-1', password: 'wrong', settings, logger: pino({ level: 'silent' }) });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await client.endAsync(true);
    // A fixed 100 ms period would try about 20 times in 2 s; doubling from 100 ms allows 5.
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(6);
  });

  it('connects with the right credentials', async () => {
    const settings = mqttSettingsSchema.parse({ reconnectPeriodMs: 100 });
    const client = connectMqtt({ deviceId: 'cam-1', url, username: 'cam-1', password: 'right', settings, logger: pino({ level: 'silent' }) });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    expect(client.options.clientId).toBe('cam-1');
    await client.endAsync(true);
  });
});

describeWithBroker('mqtt connection during a broker outage', () => {
  it('rate-limits repeated connection errors', async () => {
    const broker = await MosquittoBroker.start();
    const { logger, lines } = collectLogs('info');
    const settings = mqttSettingsSchema.parse({ reconnectPeriodMs: 100 });
    const client = connectMqtt({ deviceId: 'cam-1', url: broker.url, username: 'cam-1', settings, logger, outageLog: { firstSummaryAfterMs: 1_000 } });
    try {
      await waitFor(() => client.connected, 'the first connect');
      await broker.stop();
      // About 30 failed attempts at a 100 ms retry period; summaries come after 1 s and 2 s more.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await broker.resume();
      await waitFor(() => client.connected, 'the reconnect');
    } finally {
      await client.endAsync(true);
      await broker.close();
    }

    const warnings = lines.filter((line) => line.level === WARN);
    const errors = warnings.filter((line) => line.msg === 'broker connection error');
    const summaries = warnings.filter((line) => line.msg.startsWith('broker connection still failing'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ECONNREFUSED', advice: expect.stringContaining('mqtt.url') });
    expect(summaries.length).toBeLessThanOrEqual(2);
    expect(summaries[0]).toMatchObject({ failedAttempts: expect.any(Number), downForMs: expect.any(Number) });
    expect(warnings.length).toBeLessThanOrEqual(2 + summaries.length);

    const reconnects = lines.filter((line) => line.level === INFO && line.msg === 'reconnected to broker');
    expect(reconnects).toHaveLength(1);
    expect(reconnects[0]!.downForMs).toBeGreaterThanOrEqual(3_000);
    expect(reconnects[0]!.failedAttempts).toBeGreaterThan(5);
  });
});
