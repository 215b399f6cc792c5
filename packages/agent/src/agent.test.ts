import { readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { topics } from '@metervision/protocol';
import { MeterReader } from '@metervision/vision';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AgentHandle, startAgent } from './agent.ts';
import { type AgentFixture, createAgentFixture } from './testing/agent-fixture.ts';
import { MOSQUITTO, MosquittoBroker, REQUIRE_SERVICES } from './testing/broker.ts';
import { ReadingCollector, waitFor } from './testing/collector.ts';

const describeWithBroker = MOSQUITTO || REQUIRE_SERVICES ? describe : describe.skip;
if (!MOSQUITTO && !REQUIRE_SERVICES) console.warn('agent tests skipped: mosquitto is not installed (apt-get install mosquitto)');

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

describeWithBroker('agent with a real broker', () => {
  beforeEach(async () => {
    broker = await MosquittoBroker.start();
    fixture = await createAgentFixture();
    collector = await ReadingCollector.connect(broker.url, ['metervision/v1/devices/cam-1/#']);
  });

  afterEach(async () => {
    await agent?.close();
    agent = null;
    await collector.close();
    await broker.close();
    await rm(fixture.root, { recursive: true, force: true });
  });

  it('loses nothing across a broker restart', async () => {
    await fixture.putMeter('meter.jpg', 123.45);
    agent = await startAgent(await fixture.config({ mqtt: { url: broker.url, reconnectPeriodMs: 200 } }), { reader, schedule: false });
    await waitFor(() => agent!.status().connected, 'the agent to connect');

    const queued: string[] = [];
    const capture = async () => {
      const outcome = await agent!.captureNow();
      if (outcome.kind === 'reading') queued.push(outcome.reading.readingId);
    };
    for (let i = 0; i < 3; i += 1) await capture();

    await broker.stop();
    await waitFor(() => !agent!.status().connected, 'the agent to notice the broker is down');
    for (let i = 0; i < 5; i += 1) await capture();
    expect(agent.status().outbox.pending).toBeGreaterThanOrEqual(5);

    await broker.resume();
    await waitFor(() => agent!.status().outbox.pending === 0, 'the outbox to drain');
    await waitFor(() => collector.readings().length >= queued.length, 'every reading to arrive');

    const stored = collector.readings().map((reading) => reading.readingId);
    expect(queued).toHaveLength(8);
    expect(new Set(stored)).toEqual(new Set(queued));
    expect(stored).toHaveLength(queued.length);
  });

  it('reports bad images and keeps running', async () => {
    const config = await fixture.config({
      mqtt: { url: broker.url },
      source: { type: 'folder', path: fixture.imageDir, mode: 'each', settleMs: 0 },
    });
    agent = await startAgent(config, { reader, schedule: false });
    await broker.stop();

    const good = await fixture.putMeter('1-good.jpg', 55.5);
    const corrupt = path.join(fixture.imageDir, '2-corrupt.jpg');
    const notImage = path.join(fixture.imageDir, '3-notes.jpg');
    await writeFile(corrupt, (await readFile(good)).subarray(0, 2_000));
    await writeFile(notImage, 'meter serial 12345\n');

    const outcomes = [await agent.captureNow(), await agent.captureNow(), await agent.captureNow()];
    const readings = outcomes.map((outcome) => (outcome.kind === 'reading' ? outcome.reading : null));
    expect(readings[1]?.status).toBe('failed');
    expect(readings[1]?.reasonCode).toBe('invalid_image');
    expect(readings[1]?.reason).toContain(corrupt);
    expect(readings[1]?.reason).toMatch(/corrupt/i);
    expect(readings[2]?.status).toBe('failed');
    expect(readings[2]?.reason).toContain(notImage);
    expect(readings[2]?.reason).toMatch(/not an image/i);
    expect(agent.status().outbox.pending).toBe(3);

    await broker.resume();
    await waitFor(() => collector.readings().length === 3, 'the three readings');
    expect(collector.readings().map((reading) => reading.status)).toEqual([readings[0]!.status, 'failed', 'failed']);
  });

  it('reports an ROI outside the image', async () => {
    await fixture.putMeter('meter.jpg', 10);
    const layout = { digits: [{ name: 'dig1', x: 300, y: 200, width: 40, height: 60 }] };
    agent = await startAgent(await fixture.config({ mqtt: { url: broker.url }, meter: { layout } }), { reader, schedule: false });

    const outcome = await agent.captureNow();
    expect(outcome.kind).toBe('reading');
    if (outcome.kind !== 'reading') return;
    expect(outcome.reading.status).toBe('failed');
    expect(outcome.reading.reasonCode).toBe('roi_outside_image');
    expect(outcome.reading.reason).toContain(path.join(fixture.imageDir, 'meter.jpg'));
    expect(outcome.reading.reason).toContain('dig1');
    expect(agent.status().lastError).toContain('dig1');
  });

  it('reports a failing camera in the heartbeat', async () => {
    const camera = http.createServer((_request, response) => {
      response.writeHead(503);
      response.end('camera busy');
    });
    await new Promise<void>((resolve) => camera.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(camera.address() as AddressInfo).port}/capture`;
    try {
      const config = await fixture.config({
        mqtt: { url: broker.url },
        source: { type: 'http', url },
        retry: { attempts: 2, initialDelayMs: 10 },
        heartbeat: { intervalSeconds: 5 },
      });
      agent = await startAgent(config, { reader, schedule: false });

      const outcome = await agent.captureNow();
      expect(outcome.kind).toBe('capture_failed');
      expect(agent.status().captureFailures).toBe(1);

      type Heartbeat = { captureFailures: number; lastError: { code: string; message: string } | null };
      await waitFor(() => collector.received<Heartbeat>('heartbeat').some((beat) => beat.captureFailures === 1), 'a heartbeat with the failure', 15_000);
      const heartbeat = collector.received<Heartbeat>('heartbeat').find((beat) => beat.captureFailures === 1)!;
      expect(heartbeat.lastError?.code).toBe('capture_http_status');
      expect(heartbeat.lastError?.message).toContain(url);
    } finally {
      camera.closeAllConnections();
      await new Promise((resolve) => camera.close(resolve));
    }
  });

  it('publishes retained status and heartbeat', async () => {
    agent = await startAgent(await fixture.config({ mqtt: { url: broker.url } }), { reader, schedule: false });
    await waitFor(() => collector.received('heartbeat').length > 0, 'a heartbeat');
    const heartbeat = collector.received<{ outboxPending: number; configVersion: number | null }>('heartbeat')[0]!;
    expect(heartbeat.outboxPending).toBe(0);
    expect(heartbeat.configVersion).toBeNull();

    const late = await ReadingCollector.connect(broker.url, [topics.status('cam-1')]);
    await waitFor(() => late.messages.length > 0, 'the retained status');
    expect(late.messages[0]!.retain).toBe(true);
    expect(JSON.parse(late.messages[0]!.payload.toString()).state).toBe('online');
    await late.close();
  });

  it('publishes offline status on close', async () => {
    agent = await startAgent(await fixture.config({ mqtt: { url: broker.url } }), { reader, schedule: false });
    await waitFor(() => agent!.status().connected, 'the agent to connect');
    await agent.close();
    agent = null;
    await waitFor(() => collector.received<{ state: string }>('status').some((status) => status.state === 'offline'), 'the offline status');
    const offline = collector.received<{ state: string; reason?: string }>('status').at(-1)!;
    expect(offline.reason).toBe('shutdown');
  });
});
