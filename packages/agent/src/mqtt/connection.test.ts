import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mqttSettingsSchema } from '../config/schema.ts';
import { connectMqtt } from './connection.ts';

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
