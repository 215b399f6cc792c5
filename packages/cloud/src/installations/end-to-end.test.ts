import { meterLayoutSchema } from '@metervision/protocol';
import { renderMeter, SimulatedDevice, type DeviceKnobs } from '@metervision/firmware-sim';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCloud, type CloudHandle } from '../start.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { seed, type SeededOrganization } from '../testing/seed.ts';
import { waitFor } from '../testing/services.ts';
import { checkOf, expectJson, send, startAndPair, waitForValidation, type StatusBody } from './testing/session.ts';

// A simulated camera goes through the whole workflow against a real cloud (HTTP API, embedded
// broker, database): start → pair → MQTT connect → validate → complete → scheduled readings.
// Its knobs make it show a dark, a blurred or another meter's value, and each must fail at the
// stage that catches it, with that stage's advice.

/** What the meter shows; whole units, so the last wheel is not caught turning. */
const METER_VALUE = 530;

describeEachDialect('installation end to end', (target) => {
  let cloud: CloudHandle;
  let acme: SeededOrganization;
  let token: string;
  const devices: SimulatedDevice[] = [];

  beforeAll(async () => {
    cloud = await startCloud({ port: 0, mqttPort: 0, databaseUrl: await target.createUrl(), dataDir: target.dataDir, logger: pino({ level: 'silent' }), jwtSecret: 'e2e-signing-key-0123456789abcdefghijklmn' });
    const data = await seed(cloud.database, cloud.repos, 'e2e');
    acme = data.organizations[0];
    const { layout } = await renderMeter({ value: METER_VALUE });
    await cloud.repos.meters.update(acme.meterId, { layout: meterLayoutSchema.parse(layout) });

    const login = await cloud.app.request('/token', { method: 'POST', body: new URLSearchParams({ username: acme.members.installer, password: data.password }) });
    token = ((await login.json()) as { access_token: string }).access_token;
  });

  afterAll(async () => {
    await Promise.all(devices.map((device) => device.close()));
    await cloud.close();
    target.cleanup();
  });

  const request = (path: string, init?: RequestInit) => cloud.app.request(path, init);

  /** Pairs a simulated camera with `knobs`, waits for its first heartbeat and validates it. */
  async function installAndValidate(deviceId: string, knobs: DeviceKnobs): Promise<StatusBody> {
    const { started, pairing } = await startAndPair(request, token, acme.meterSerial, deviceId);
    const device = await SimulatedDevice.start({
      deviceId,
      brokerUrl: pairing.mqtt_url!,
      password: pairing.mqtt_password,
      startValue: METER_VALUE,
      flowM3PerHour: 0,
      heartbeatIntervalSeconds: 0,
      knobs: { readingIntervalSeconds: 1, ...knobs },
    });
    devices.push(device);
    await waitFor('first heartbeat', async () => (await cloud.repos.devices.latestHeartbeat(deviceId)) !== null, 5_000);

    const json = { expected_value: METER_VALUE, meter_serial: acme.meterSerial };
    await expectJson(send(request, 'POST', `/api/installations/${started.session_id}/validate`, { token, json }), 202);
    return waitForValidation(request, token, started.session_id);
  }

  const stageStatuses = (status: StatusBody) => status.validation!.stages.map((stage) => stage.status);

  it('activates a healthy camera', async () => {
    const validated = await installAndValidate('e2e-healthy', {});
    expect(validated.status, JSON.stringify(validated.validation)).toBe('validated');
    expect(stageStatuses(validated).every((status) => status === 'passed' || status === 'warning')).toBe(true);
    expect(checkOf(validated, 'verification', 'value_matches').status).toBe('passed');
    expect((await cloud.repos.readings.listForMeter(acme.meterId, { limit: 1, offset: 0 })).total).toBe(0);

    const completed = await expectJson<StatusBody>(send(request, 'POST', `/api/installations/${validated.session_id}/complete`, { token }), 200);
    expect(completed.status).toBe('active');
    expect(completed.camera?.state).toBe('active');
    expect(completed.events.map((event) => event.type).slice(-2)).toEqual(['completed', 'config_published']);

    const device = devices.at(-1)!;
    await waitFor('configuration applied', async () => device.activeConfig()?.version === completed.config_version, 5_000);
    expect(device.activeConfig()?.meterSerial).toBe(acme.meterSerial);
    await waitFor('readings stored', async () => (await cloud.repos.readings.listForMeter(acme.meterId, { limit: 1, offset: 0 })).total > 0, 10_000);
    const [reading] = (await cloud.repos.readings.listForMeter(acme.meterId, { limit: 1, offset: 0 })).items;
    expect(reading).toMatchObject({ deviceId: 'e2e-healthy', value: METER_VALUE, status: 'accepted' });
  });

  it('fails a dark image at image quality', async () => {
    const validated = await installAndValidate('e2e-dark', { render: { brightness: 0.15 } });
    expect(stageStatuses(validated)).toEqual(['passed', 'failed', 'skipped', 'skipped']);
    const brightness = checkOf(validated, 'image_quality', 'brightness');
    expect(brightness.status).toBe('failed');
    expect(brightness.advice).toMatch(/too dark: switch on the LED or raise the exposure/);
  });

  it('fails a blurred image at image quality', async () => {
    const validated = await installAndValidate('e2e-blurred', { render: { blur: 4 } });
    expect(stageStatuses(validated)).toEqual(['passed', 'failed', 'skipped', 'skipped']);
    const sharpness = checkOf(validated, 'image_quality', 'sharpness');
    expect(sharpness.status).toBe('failed');
    expect(sharpness.advice).toMatch(/blurred: refocus/);
    expect(checkOf(validated, 'image_quality', 'brightness').status).toBe('passed');
  });

  it('fails an offline camera at connectivity', async () => {
    const { started, pairing } = await startAndPair(request, token, acme.meterSerial, 'e2e-offline');
    const device = await SimulatedDevice.start({ deviceId: 'e2e-offline', brokerUrl: pairing.mqtt_url!, password: pairing.mqtt_password, heartbeatIntervalSeconds: 0, knobs: { readingIntervalSeconds: 0 } });
    await device.crash();
    await waitFor('last will', async () => (await cloud.repos.devices.findById('e2e-offline'))?.status === 'offline', 5_000);

    await expectJson(send(request, 'POST', `/api/installations/${started.session_id}/validate`, { token, json: { expected_value: METER_VALUE, meter_serial: acme.meterSerial } }), 202);
    const validated = await waitForValidation(request, token, started.session_id);
    expect(stageStatuses(validated)).toEqual(['failed', 'skipped', 'skipped', 'skipped']);
    const online = checkOf(validated, 'connectivity', 'camera_online');
    expect(online).toMatchObject({ status: 'failed', measured: 'offline' });
    expect(online.advice).toMatch(/power and network/);
  });

  it('fails another value at verification', async () => {
    const validated = await installAndValidate('e2e-offset', { displayOffset: 37 });
    expect(stageStatuses(validated).slice(0, 3).every((status) => status === 'passed' || status === 'warning')).toBe(true);
    expect(stageStatuses(validated)[3]).toBe('failed');
    const value = checkOf(validated, 'verification', 'value_matches');
    expect(value.measured).toBeCloseTo(METER_VALUE + 37, 2);
    expect(value.advice).toMatch(/another meter/);

    const completed = await expectJson<StatusBody>(send(request, 'POST', `/api/installations/${validated.session_id}/complete`, { token }), 200);
    expect(completed.status).toBe('failed');
    expect(completed.failed_checks.map((check) => check.id)).toEqual(['value_matches']);
  });
});
