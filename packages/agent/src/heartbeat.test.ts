import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AgentHandle, startAgent } from './agent.ts';
import { buildHeartbeat, readSignalDbm } from './heartbeat.ts';
import { createHealth } from './health.ts';
import { HealthReporter } from './health-reporter.ts';
import { pairDevice } from './pair.ts';
import { type AgentFixture, createAgentFixture } from './testing/agent-fixture.ts';
import { freePort } from './testing/broker.ts';
import { startCloudStub } from './testing/cloud-stub.ts';
import { waitFor } from './testing/collector.ts';
import { collectLogs, INFO, WARN } from './testing/log-sink.ts';
import { type MeterShape, ObservationReader, observationLayout, observe } from './testing/observation-reader.ts';

const SECRET = 'device-secret-for-heartbeat';
const WET_DIAL: MeterShape = { wheels: 5, decimalWheels: 0, pointers: 2 };

describe('heartbeat', () => {
  it('carries the health figures', () => {
    const health = { ...createHealth(Date.now() - 90_000), captureFailures: 2, clockSkewMs: -1_500 };
    const heartbeat = buildHeartbeat({ firmwareVersion: '0.1.0', health, outboxPending: 4, outboxDropped: 1, configVersion: 3, signalDbm: -67, schedule: 'awaiting_configuration' });
    expect(heartbeat).toMatchObject({ uptimeSeconds: 90, captureFailures: 2, outboxPending: 4, outboxDropped: 1, configVersion: 3, signalDbm: -67, clockSkewMs: -1_500 });
    expect(heartbeat.schedule).toBe('awaiting_configuration');
  });

  it('reads the Wi-Fi signal level', async () => {
    const file = path.join(fixture.root, 'wireless');
    await writeFile(
      file,
      'Inter-| sta-|   Quality        |   Discarded packets\n face | tus | link level noise |  nwid  crypt\n wlan0: 0000   43.  -67.  -256        0      0\n',
    );
    expect(await readSignalDbm(file)).toBe(-67);
    expect(await readSignalDbm(path.join(fixture.root, 'missing'))).toBeNull();
  });
});

let fixture: AgentFixture;
let agent: AgentHandle | null = null;
let cloud: Awaited<ReturnType<typeof startCloudStub>>;

beforeEach(async () => {
  fixture = await createAgentFixture();
  cloud = await startCloudStub({ mqttUrl: `mqtt://127.0.0.1:${await freePort()}`, password: SECRET });
});

afterEach(async () => {
  await agent?.close();
  agent = null;
  await cloud.close();
  await rm(fixture.root, { recursive: true, force: true });
});

describe('HTTP heartbeat fallback', () => {
  it('posts heartbeats while MQTT is down', async () => {
    await pairDevice({ cloudUrl: cloud.url, code: 'K7Q2-9XMD', deviceId: 'cam-1', stateDir: fixture.stateDir });
    const config = await fixture.config({ heartbeat: { intervalSeconds: 5 } });
    agent = await startAgent(config, { reader: new ObservationReader(), schedule: false });

    const heartbeats = () => cloud.requests.filter((request) => request.url === '/api/installations/cameras/heartbeat');
    await waitFor(() => heartbeats().length > 0, 'an HTTP heartbeat', 15_000);
    const [first] = heartbeats();
    expect(first!.authorization).toBe(`Basic ${Buffer.from(`cam-1:${SECRET}`).toString('base64')}`);
    expect(first!.body).toMatchObject({ v: 1, firmwareVersion: expect.any(String), outboxPending: 0 });
    expect(agent.status().connected).toBe(false);
  });

  it('labels readings with the paired meter serial', async () => {
    await pairDevice({ cloudUrl: cloud.url, code: 'K7Q2-9XMD', deviceId: 'cam-1', stateDir: fixture.stateDir });
    await writeFile(path.join(fixture.imageDir, 'meter.json'), JSON.stringify(observe(12.34, WET_DIAL)));
    const config = await fixture.config({
      source: { type: 'folder', path: fixture.imageDir, extensions: ['.json'], settleMs: 0 },
      meter: { layout: observationLayout(WET_DIAL) },
    });
    agent = await startAgent(config, { reader: new ObservationReader(), schedule: false });

    const outcome = await agent.captureNow();
    expect(outcome.kind === 'reading' && outcome.reading.meterSerial).toBe('WM-123');
  });
});

describe('HTTP heartbeat failures', () => {
  it('logs each failure kind once', async () => {
    const access = { url: cloud.url, username: 'cam-1', password: 'revoked-secret', httpHeartbeat: true };
    const { logger, lines } = collectLogs('info');
    const reporter = new HealthReporter({
      health: createHealth(),
      firmwareVersion: '0.1.0',
      intervalSeconds: 5,
      link: () => null,
      figures: () => ({ outboxPending: 0, outboxDropped: 0, configVersion: null, schedule: 'awaiting_configuration' }),
      cloud: () => access,
      logger,
    });

    for (let i = 0; i < 4; i += 1) await reporter.sendHeartbeat();
    access.url = `http://127.0.0.1:${await freePort()}`;
    for (let i = 0; i < 4; i += 1) await reporter.sendHeartbeat();
    access.url = cloud.url;
    access.password = SECRET;
    await reporter.sendHeartbeat();

    const warnings = lines.filter((line) => line.level === WARN);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ msg: 'HTTP heartbeat failed', status: 401, advice: expect.stringContaining('run pair again') });
    expect(warnings[1]).toMatchObject({ msg: 'HTTP heartbeat failed', status: null, code: 'ECONNREFUSED', advice: expect.stringContaining('check cloud.url') });
    const recovered = lines.filter((line) => line.level === INFO && line.msg === 'HTTP heartbeat works again');
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ status: 200, failedAttempts: 8 });
  });
});
