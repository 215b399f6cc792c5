import { Writable } from 'node:stream';
import { rm } from 'node:fs/promises';
import { MeterReader } from '@metervision/vision';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AgentHandle, startAgent } from './agent.ts';
import type { AgentConfig } from './config/load.ts';
import { readCredentials, writeCredentials } from './credentials.ts';
import { pairDevice } from './pair.ts';
import { type AgentFixture, createAgentFixture } from './testing/agent-fixture.ts';
import { MOSQUITTO, MosquittoBroker, REQUIRE_SERVICES } from './testing/broker.ts';
import { startCloudStub } from './testing/cloud-stub.ts';
import { ReadingCollector, waitFor } from './testing/collector.ts';

const describeWithBroker = MOSQUITTO || REQUIRE_SERVICES ? describe : describe.skip;
if (!MOSQUITTO && !REQUIRE_SERVICES) console.warn('schedule gate tests skipped: mosquitto is not installed (apt-get install mosquitto)');

const WAITING_MESSAGE = 'scheduled captures wait for the configuration the cloud sends when the installation is completed; commands still run';
const STARTING_MESSAGE = 'configuration of the completed installation applied; scheduled captures start';
/** The shortest interval the schedule accepts, so a test gets the first scheduled capture and never the second. */
const SCHEDULE = { intervalSeconds: 5, jitterSeconds: 0 };

let reader: MeterReader;
let broker: MosquittoBroker;
let cloud: Awaited<ReturnType<typeof startCloudStub>>;
let fixture: AgentFixture;
let collector: ReadingCollector;
let agent: AgentHandle | null = null;
let logLines: { msg: string }[] = [];

beforeAll(async () => {
  reader = await MeterReader.create({ workers: 1 });
});

afterAll(async () => {
  await reader?.close();
});

/** Starts the agent with the schedule on, logging into `logLines`. */
async function start(config: AgentConfig): Promise<AgentHandle> {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(JSON.parse(chunk.toString('utf8')) as { msg: string });
      done();
    },
  });
  agent = await startAgent(config, { reader, logger: pino({ level: 'info' }, sink) });
  return agent;
}

const logged = (message: string) => logLines.filter((line) => line.msg === message).length;
const configuration = (version: number) => ({ v: 1, version, layout: fixture.layout, schedule: SCHEDULE });

async function pairAndStart(): Promise<AgentHandle> {
  await pairDevice({ cloudUrl: cloud.url, code: 'K7Q2-9XMD', deviceId: 'cam-1', stateDir: fixture.stateDir });
  const started = await start(await fixture.config({ meter: { schedule: SCHEDULE } }));
  await waitFor(() => started.status().connected, 'the agent to connect');
  return started;
}

describeWithBroker('schedule gate', () => {
  beforeEach(async () => {
    logLines = [];
    broker = await MosquittoBroker.start();
    cloud = await startCloudStub({ mqttUrl: broker.url, password: 'device-secret-for-the-gate' });
    fixture = await createAgentFixture();
    await fixture.putMeter('meter.jpg', 42.5);
    collector = await ReadingCollector.connect(broker.url, ['metervision/v1/devices/cam-1/#']);
  });

  afterEach(async () => {
    await agent?.close();
    agent = null;
    await collector.close();
    await broker.close();
    await cloud.close();
    await rm(fixture.root, { recursive: true, force: true });
  });

  it('holds a paired agent schedule', async () => {
    const paired = await pairAndStart();
    expect(paired.status().schedule).toBe('awaiting_configuration');

    // capture_now runs after any cycle already started, and the outbox sends in order, so a
    // scheduled reading would arrive before the command's.
    const result = await collector.command('cam-1', 'capture_now');
    expect(result.status).toBe('ok');
    await waitFor(() => collector.readings().length > 0, 'the reading of capture_now');
    expect(collector.readings().map((reading) => reading.readingId)).toEqual([result.message!.split(' ')[1]]);
    expect(logged(WAITING_MESSAGE)).toBe(1);
  });

  it('sends images while waiting', async () => {
    const paired = await pairAndStart();
    expect(paired.status().schedule).toBe('awaiting_configuration');
    const result = await collector.command('cam-1', 'send_image');
    expect(result.status).toBe('ok');
    await waitFor(() => collector.received('images').length === 1, 'the image');
  });

  it('starts once the configuration arrives', async () => {
    const paired = await pairAndStart();
    await collector.publishConfig('cam-1', configuration(1));

    await waitFor(() => collector.readings().length === 1, 'the first scheduled reading');
    expect(paired.status().schedule).toBe('running');
    expect(paired.status().configVersion).toBe(1);
    expect(logged(WAITING_MESSAGE)).toBe(1);
    expect(logged(STARTING_MESSAGE)).toBe(1);
  });

  it('runs at once after a restart', async () => {
    const paired = await pairAndStart();
    await collector.publishConfig('cam-1', configuration(1));
    await waitFor(() => paired.status().schedule === 'running', 'the schedule to start');
    await paired.close();

    const restarted = await start(await fixture.config({ meter: { schedule: SCHEDULE } }));
    expect(restarted.status().schedule).toBe('running');
  });

  it('waits again after a new pairing', async () => {
    const paired = await pairAndStart();
    await collector.publishConfig('cam-1', configuration(1));
    await waitFor(() => paired.status().schedule === 'running', 'the schedule to start');
    await paired.close();

    const credentials = (await readCredentials(fixture.stateDir))!;
    await writeCredentials(fixture.stateDir, { ...credentials, sessionId: 'session-2', pairedAt: new Date(Date.now() + 1_000).toISOString() });
    const repaired = await start(await fixture.config({ meter: { schedule: SCHEDULE } }));
    await waitFor(() => collector.received('config/report').length === 2, 'the report of the retained configuration');
    expect(repaired.status().schedule).toBe('awaiting_configuration');

    await collector.publishConfig('cam-1', configuration(2));
    await waitFor(() => repaired.status().schedule === 'running', 'the schedule to start again');
  });

  it('keeps the local schedule', async () => {
    const local = await start(await fixture.config({ mqtt: { url: broker.url, password: 'local-broker-secret' }, meter: { schedule: SCHEDULE } }));
    expect(local.status().schedule).toBe('running');
    await waitFor(() => collector.readings().length === 1, 'the first scheduled reading');
    expect(logged(WAITING_MESSAGE)).toBe(0);
  });
});
