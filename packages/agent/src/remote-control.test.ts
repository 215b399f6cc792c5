import { rm } from 'node:fs/promises';
import { topics } from '@metervision/protocol';
import { MeterReader } from '@metervision/vision';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AgentHandle, startAgent } from './agent.ts';
import { type AgentFixture, createAgentFixture } from './testing/agent-fixture.ts';
import { MOSQUITTO, MosquittoBroker, REQUIRE_SERVICES } from './testing/broker.ts';
import { ReadingCollector, waitFor } from './testing/collector.ts';

const describeWithBroker = MOSQUITTO || REQUIRE_SERVICES ? describe : describe.skip;

interface Report {
  version: number;
  status: 'applied' | 'rejected';
  activeVersion: number | null;
  issues: { path: string; message: string }[];
}

let reader: MeterReader;
let broker: MosquittoBroker;
let fixture: AgentFixture;
let collector: ReadingCollector;
let agent: AgentHandle | null = null;

beforeAll(async () => {
  reader = await MeterReader.create({ workers: 1 });
});

afterAll(async () => {
  await reader?.close();
});

const publishConfig = (config: object) => collector.publishConfig('cam-1', config);
const command = (type: string, extra: object = {}) => collector.command('cam-1', type, extra);

const reports = () => collector.received<Report>('config/report');

describeWithBroker('remote control', () => {
  beforeEach(async () => {
    broker = await MosquittoBroker.start();
    fixture = await createAgentFixture();
    await fixture.putMeter('meter.jpg', 42.5);
    collector = await ReadingCollector.connect(broker.url, ['metervision/v1/devices/cam-1/#', 'homeassistant/#']);
    agent = await startAgent(await fixture.config({ mqtt: { url: broker.url } }), { reader, schedule: false });
    await waitFor(() => agent!.status().connected, 'the agent to connect');
  });

  afterEach(async () => {
    await agent?.close();
    agent = null;
    await collector.close();
    await broker.close();
    await rm(fixture.root, { recursive: true, force: true });
  });

  it('applies a valid configuration', async () => {
    await publishConfig({ v: 1, version: 3, layout: fixture.layout, schedule: { intervalSeconds: 600 } });
    await waitFor(() => reports().length > 0, 'a config report');
    expect(reports()[0]).toMatchObject({ version: 3, status: 'applied', activeVersion: 3, issues: [] });
    expect(agent!.status().configVersion).toBe(3);
  });

  it('rejects an invalid configuration with reasons', async () => {
    await publishConfig({ v: 1, version: 2, layout: fixture.layout });
    await waitFor(() => reports().length === 1, 'the first report');
    await publishConfig({ v: 1, version: 4, layout: { digits: [{ name: 'd1', x: 0, y: 0, width: 0, height: 20 }] }, schedule: { intervalSeconds: 1 } });
    await waitFor(() => reports().length === 2, 'the second report');

    const report = reports()[1]!;
    expect(report).toMatchObject({ version: 4, status: 'rejected', activeVersion: 2 });
    expect(report.issues.map((issue) => issue.path)).toEqual(expect.arrayContaining(['layout.digits.0.width', 'schedule.intervalSeconds']));
    expect(agent!.status().configVersion).toBe(2);

    const outcome = await agent!.captureNow();
    expect(outcome.kind).toBe('reading');
  });

  it('rejects a mark image given as a file path', async () => {
    const alignment = { marks: [{ name: 'screw', x: 0, y: 0, width: 8, height: 8, image: '/etc/metervision/secret.png' }] };
    await publishConfig({ v: 1, version: 6, layout: { ...fixture.layout, alignment } });
    await waitFor(() => reports().length === 1, 'a report');

    const report = reports()[0]!;
    expect(report).toMatchObject({ version: 6, status: 'rejected' });
    expect(report.issues.map((issue) => issue.path)).toEqual(['layout.alignment.marks.0.image']);
  });

  it('rejects an older version', async () => {
    await publishConfig({ v: 1, version: 5, layout: fixture.layout });
    await waitFor(() => reports().length === 1, 'the first report');
    await publishConfig({ v: 1, version: 4, layout: fixture.layout });
    await waitFor(() => reports().length === 2, 'the second report');
    expect(reports()[1]).toMatchObject({ status: 'rejected', activeVersion: 5 });
    expect(reports()[1]!.issues[0]!.message).toContain('older');
  });

  it('rejects a payload that is not JSON', async () => {
    await collector.client.publishAsync(topics.config('cam-1'), '{"v":1,', { qos: 1, retain: true });
    await waitFor(() => reports().length === 1, 'a report');
    expect(reports()[0]).toMatchObject({ version: 0, status: 'rejected', activeVersion: 0 });
  });

  it('keeps the configuration across a restart', async () => {
    await publishConfig({ v: 1, version: 7, layout: fixture.layout });
    await waitFor(() => agent!.status().configVersion === 7, 'version 7');
    await collector.client.publishAsync(topics.config('cam-1'), '', { qos: 1, retain: true });
    await agent!.close();

    agent = await startAgent(await fixture.config({ mqtt: { url: broker.url } }), { reader, schedule: false });
    expect(agent.status().configVersion).toBe(7);
  });

  it('captures on command', async () => {
    const result = await command('capture_now');
    expect(result.status).toBe('ok');
    expect(result.message).toMatch(/^reading .+ (accepted|flagged|rejected|failed)/);
    await waitFor(() => collector.readings().length === 1, 'the reading');
  });

  it('sends the full image on command', async () => {
    const result = await command('send_image');
    expect(result.status).toBe('ok');
    await waitFor(() => collector.received('images').length === 1, 'the image');
    const image = collector.received<{ commandId: string; width: number; height: number; image: { contentType: string; data: string } }>('images')[0]!;
    expect(image).toMatchObject({ commandId: result.commandId, width: 320, height: 240 });
    expect(Buffer.from(image.image.data, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('sets the previous value on command', async () => {
    await publishConfig({ v: 1, version: 2, layout: fixture.layout, plausibility: { allowNegativeRate: false } });
    await waitFor(() => reports().length === 1, 'the report');
    expect((await command('set_previous_value', { value: 99_999 })).status).toBe('ok');

    const outcome = await agent!.captureNow();
    if (outcome.kind !== 'reading') throw new Error(`expected a reading, got ${outcome.kind}`);
    expect(['rejected', 'flagged', 'failed']).toContain(outcome.reading.status);
    expect(outcome.reading.value).toBeNull();
  });

  it('reloads on command', async () => {
    const result = await command('reload');
    expect(result.status).toBe('ok');
  });

  it('publishes Home Assistant discovery', async () => {
    await publishConfig({ v: 1, version: 2, meterSerial: 'WM-123', layout: fixture.layout, homeAssistant: { enabled: true, deviceClass: 'water' } });
    const topic = 'homeassistant/sensor/metervision_cam-1/meter/config';
    const found = () => collector.messages.find((message) => message.topic === topic);
    await waitFor(() => found() !== undefined, 'the discovery message');
    const late = await ReadingCollector.connect(broker.url, [topic]);
    await waitFor(() => late.messages.length > 0, 'the retained discovery message');
    expect(late.messages[0]!.retain).toBe(true);
    await late.close();
    const discovery = JSON.parse(found()!.payload.toString());
    expect(discovery).toMatchObject({
      device_class: 'water',
      state_class: 'total_increasing',
      unit_of_measurement: 'm³',
      state_topic: topics.readings('cam-1'),
      availability_topic: topics.status('cam-1'),
      unique_id: 'metervision_cam-1_meter',
    });
    expect(discovery.device.serial_number).toBe('WM-123');

    await publishConfig({ v: 1, version: 3, layout: fixture.layout, homeAssistant: { enabled: false } });
    await waitFor(() => collector.messages.filter((message) => message.topic === topic).length === 2, 'the removal');
    expect(collector.messages.filter((message) => message.topic === topic)[1]!.payload.length).toBe(0);
  });

  it('publishes no discovery when off', async () => {
    await command('reload');
    expect(collector.messages.some((message) => message.topic.startsWith('homeassistant/'))).toBe(false);
  });
});
