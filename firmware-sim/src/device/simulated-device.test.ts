import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodePayload, topics, type PayloadOf, type TopicKind } from '@metervision/protocol';
import { startTestBroker, type RecordedMessage, type TestBroker } from '../testing/broker.ts';
import { SimulatedDevice, type SimulatedDeviceOptions } from './simulated-device.ts';

const PASSWORD = 'device-secret-1';
let broker: TestBroker;
const devices: SimulatedDevice[] = [];

beforeEach(async () => {
  broker = await startTestBroker({ passwords: { 'cam-1': PASSWORD, 'cam-2': PASSWORD } });
});

afterEach(async () => {
  await Promise.all(devices.splice(0).map((device) => device.close()));
  await broker.close();
});

async function startDevice(options: Partial<SimulatedDeviceOptions> = {}): Promise<SimulatedDevice> {
  const device = await SimulatedDevice.start({
    deviceId: 'cam-1',
    brokerUrl: broker.url,
    password: PASSWORD,
    startValue: 530.0708,
    flowM3PerHour: 0,
    heartbeatIntervalSeconds: 0,
    knobs: { readingIntervalSeconds: 0 },
    ...options,
  });
  devices.push(device);
  return device;
}

/** Waits for the next message of `kind` from `deviceId` after `skip` earlier ones, and decodes it strictly. */
async function nextMessage<K extends TopicKind>(kind: K, skip = 0, deviceId = 'cam-1'): Promise<{ message: RecordedMessage; payload: PayloadOf<K> }> {
  const topic = `metervision/v1/devices/${deviceId}/${kind}`;
  let seen = 0;
  const message = await broker.waitFor((candidate) => candidate.topic === topic && seen++ >= skip);
  const decoded = decodePayload(kind, message.payload);
  if (!decoded.ok) throw new Error(`Invalid ${kind} payload: ${JSON.stringify(decoded.issues)}`);
  return { message, payload: decoded.value };
}

function sendCommand(command: Record<string, unknown>): Promise<void> {
  return broker.publish(topics.commands('cam-1'), JSON.stringify({ v: 1, issuedAt: new Date().toISOString(), ...command }));
}

const layout = { digits: [{ name: 'dig1', x: 0, y: 0, width: 10, height: 20 }] };

describe('SimulatedDevice', () => {
  it('announces itself online, retained', async () => {
    await startDevice();
    const { message, payload } = await nextMessage('status');
    expect(payload.state).toBe('online');
    expect(message.retain).toBe(true);
    expect(message.qos).toBe(1);
    expect(message.clientId).toBe('cam-1');
  });

  it('sends a heartbeat after connecting', async () => {
    await startDevice({ firmwareVersion: 'sim-test-1' });
    const { payload } = await nextMessage('heartbeat');
    expect(payload.firmwareVersion).toBe('sim-test-1');
    expect(payload.signalDbm).toBeLessThan(0);
    expect(payload.freeMemoryBytes).toBeGreaterThan(0);
    expect(payload.outboxPending).toBe(0);
  });

  it('repeats heartbeats on its interval', async () => {
    await startDevice({ heartbeatIntervalSeconds: 0.1 });
    await nextMessage('heartbeat', 3);
  });

  it('fails to start with a wrong password', async () => {
    await expect(startDevice({ password: 'wrong' })).rejects.toThrow(/cam-1 could not connect to mqtt:\/\/127\.0\.0\.1:\d+: .*(Bad username or password|Not authorized)/);
  });

  it('fails to start without a broker', async () => {
    const closed = await startTestBroker();
    const url = closed.url;
    await closed.close();
    await expect(startDevice({ brokerUrl: url, connectTimeoutMs: 2_000 })).rejects.toThrow(/could not connect/);
  });

  it('answers capture_now with an accepted reading', async () => {
    await startDevice();
    await sendCommand({ commandId: 'cmd-capture-0001', type: 'capture_now' });
    const { message, payload } = await nextMessage('readings');
    expect(message.qos).toBe(1);
    expect(payload.status).toBe('accepted');
    expect(payload.value).toBe(530.0708);
    expect(payload.text).toBe('00530.0708');
    expect(payload.digits.map((digit) => digit.value)).toEqual([0, 0, 5, 3, 0]);

    const result = await nextMessage('commands/result');
    expect(result.payload).toMatchObject({ commandId: 'cmd-capture-0001', type: 'capture_now', status: 'ok' });
  });

  it('gives every reading a new id', async () => {
    const device = await startDevice();
    const first = await device.captureNow();
    const second = await device.captureNow();
    expect(first.readingId).not.toBe(second.readingId);
    expect(device.stats().readingsAcknowledged).toBe(2);
  });

  it('drops a redelivered command', async () => {
    const device = await startDevice();
    await sendCommand({ commandId: 'cmd-twice-0001', type: 'capture_now' });
    await sendCommand({ commandId: 'cmd-twice-0001', type: 'capture_now' });
    await nextMessage('commands/result');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(device.stats().commandsHandled).toBe(1);
  });

  it('publishes an image on send_image', async () => {
    await startDevice();
    await sendCommand({ commandId: 'cmd-image-0001', type: 'send_image' });
    const { message, payload } = await nextMessage('images');
    expect(message.qos).toBe(1);
    expect(payload.commandId).toBe('cmd-image-0001');
    const image = Buffer.from(payload.image.data, 'base64');
    const metadata = await sharp(image).metadata();
    expect(metadata.format).toBe('jpeg');
    expect({ width: metadata.width, height: metadata.height }).toEqual({ width: payload.width, height: payload.height });
    const result = await nextMessage('commands/result');
    expect(result.payload.status).toBe('ok');
  });

  it('sends a dark image through a knob', async () => {
    const device = await startDevice();
    await device.sendImage();
    device.setKnobs({ render: { brightness: 0.2 } });
    await device.sendImage();
    const means = [];
    for (const skip of [0, 1]) {
      const { payload } = await nextMessage('images', skip);
      const stats = await sharp(Buffer.from(payload.image.data, 'base64')).greyscale().stats();
      means.push(stats.channels[0]?.mean ?? 0);
    }
    expect(means[1]).toBeLessThan((means[0] ?? 0) * 0.4);
  });

  it('shows an offset value', async () => {
    const device = await startDevice({ knobs: { displayOffset: 12.5, readingIntervalSeconds: 0 } });
    const reading = await device.captureNow();
    expect(reading.value).toBe(542.5708);
  });

  it('rejects a value below the previous one', async () => {
    await startDevice();
    await sendCommand({ commandId: 'cmd-previous-01', type: 'set_previous_value', value: 600 });
    expect((await nextMessage('commands/result')).payload.status).toBe('ok');
    await sendCommand({ commandId: 'cmd-capture-0002', type: 'capture_now' });
    const { payload } = await nextMessage('readings');
    expect(payload.status).toBe('rejected');
    expect(payload.reasonCode).toBe('negative_rate');
    expect(payload.value).toBeNull();
    expect(payload.rawValue).toBe(530.0708);
  });

  it('reports a failed capture in heartbeats', async () => {
    const device = await startDevice({ knobs: { forceStatus: 'failed', readingIntervalSeconds: 0 } });
    const reading = await device.captureNow();
    expect(reading.status).toBe('failed');
    expect(reading.rawValue).toBeNull();
    await device.heartbeat();
    const { payload } = await nextMessage('heartbeat', 1);
    expect(payload.captureFailures).toBe(1);
    expect(payload.lastError?.code).toBe('capture_failed');
  });

  it('attaches evidence on request', async () => {
    const device = await startDevice({ evidence: 'always' });
    const reading = await device.captureNow();
    expect(reading.image?.contentType).toBe('image/jpeg');
  });

  it('applies a valid configuration', async () => {
    const device = await startDevice();
    await broker.publish(topics.config('cam-1'), JSON.stringify({ v: 1, version: 3, layout }), { retain: true });
    const { payload } = await nextMessage('config/report');
    expect(payload).toMatchObject({ version: 3, status: 'applied', activeVersion: 3 });
    expect(device.stats().configVersion).toBe(3);
  });

  it('rejects an invalid configuration', async () => {
    await startDevice();
    await broker.publish(topics.config('cam-1'), JSON.stringify({ v: 1, version: 4, layout: {} }));
    const { payload } = await nextMessage('config/report');
    expect(payload.status).toBe('rejected');
    expect(payload.version).toBe(4);
    expect(payload.issues.map((issue) => issue.path)).toContain('layout.digits');
  });

  it('rejects an older configuration', async () => {
    await startDevice();
    await broker.publish(topics.config('cam-1'), JSON.stringify({ v: 1, version: 5, layout }));
    await broker.publish(topics.config('cam-1'), JSON.stringify({ v: 1, version: 2, layout }));
    const { payload } = await nextMessage('config/report', 1);
    expect(payload).toMatchObject({ version: 2, status: 'rejected', activeVersion: 5 });
  });

  it('reapplies the configuration on reload', async () => {
    await startDevice();
    await broker.publish(topics.config('cam-1'), JSON.stringify({ v: 1, version: 7, layout }), { retain: true });
    await nextMessage('config/report');
    await sendCommand({ commandId: 'cmd-reload-0001', type: 'reload' });
    const { payload } = await nextMessage('config/report', 1);
    expect(payload).toMatchObject({ version: 7, status: 'applied' });
    expect((await nextMessage('commands/result')).payload.status).toBe('ok');
  });

  it('captures on the configured interval', async () => {
    await startDevice({ knobs: { readingIntervalSeconds: 0.1 } });
    await nextMessage('readings', 3);
  });

  it('leaves a retained offline will on crash', async () => {
    const observer = await startDevice({ deviceId: 'cam-2' });
    const device = await startDevice();
    await device.crash();
    devices.splice(devices.indexOf(device), 1);
    const retained = await retainedStatus('cam-1');
    expect(retained.state).toBe('offline');
    expect(retained.reason).toBeUndefined();
    expect(observer.connected).toBe(true);
  });

  it('says why it went offline on close', async () => {
    const device = await startDevice();
    await device.close();
    const retained = await retainedStatus('cam-1');
    expect(retained.state).toBe('offline');
    expect(retained.reason).toBe('shutdown');
  });

  it('dates the will at the latest connect', async () => {
    const device = await startDevice({ reconnectPeriodMs: 100 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const dropped = Date.now();
    device.dropConnection();
    await nextMessage('status', 2);
    await device.crash();
    devices.splice(devices.indexOf(device), 1);
    const retained = await retainedStatus('cam-1');
    expect(Date.parse(retained.at)).toBeGreaterThanOrEqual(dropped);
  });

  it('reconnects after a dropped connection', async () => {
    const device = await startDevice({ reconnectPeriodMs: 100 });
    device.dropConnection();
    await nextMessage('status', 2);
    expect(device.stats().connects).toBe(2);
  });
});

/** Reads the retained status of a device, waiting up to 3 s for it to turn offline. */
async function retainedStatus(deviceId: string): Promise<PayloadOf<'status'>> {
  const deadline = Date.now() + 3_000;
  for (;;) {
    const payload = await broker.retained(topics.status(deviceId));
    const decoded = payload ? decodePayload('status', payload) : null;
    if (decoded?.ok && (decoded.value.state === 'offline' || Date.now() > deadline)) return decoded.value;
    if (Date.now() > deadline) throw new Error(`No retained status for ${deviceId}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
