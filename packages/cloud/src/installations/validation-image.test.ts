import { randomUUID } from 'node:crypto';
import { decodePayload, encodePayload, topics } from '@metervision/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCloud, type CloudHandle } from '../start.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { seed, type SeededOrganization } from '../testing/seed.ts';
import { checkOf, expectJson, heartbeatBody, send, startAndPair, waitForValidation, type StatusBody } from './testing/session.ts';

// The image a camera sends for validation goes through the same checks as the images of its
// readings before it is measured, stored or served, whatever content type the camera declared.

const SCRIPTED_SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><script>alert(document.cookie)</script><rect width="640" height="480" fill="#888"/></svg>',
);

describeEachDialect('validation image checks', (target) => {
  let cloud: CloudHandle;
  let acme: SeededOrganization;
  let token: string;
  let counter = 0;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    cloud = await startCloud({ port: 0, mqttPort: 0, databaseUrl: await target.createUrl(), dataDir: target.dataDir, logger: pino({ level: 'silent' }), jwtSecret: 'image-signing-key-0123456789abcdefghijklm' });
    const data = await seed(cloud.database, cloud.repos, 'vimg');
    acme = data.organizations[0];
    const login = await cloud.app.request('/token', { method: 'POST', body: new URLSearchParams({ username: acme.members.installer, password: data.password }) });
    token = ((await login.json()) as { access_token: string }).access_token;
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    await cloud.close();
    target.cleanup();
  });

  const request = (path: string, init?: RequestInit) => cloud.app.request(path, init);

  /** Pairs a raw MQTT camera that replies to `send_image` with `image` labelled `contentType`, then validates it. */
  async function validateWithImage(image: Buffer, contentType: 'image/png' | 'image/jpeg'): Promise<StatusBody> {
    const deviceId = `vimg-cam-${++counter}`;
    const { started, pairing } = await startAndPair(request, token, acme.meterSerial, deviceId);
    const camera = await mqtt.connectAsync(cloud.mqttUrl!, { clientId: deviceId, username: deviceId, password: pairing.mqtt_password, reconnectPeriod: 0, connectTimeout: 5_000 });
    clients.push(camera);
    camera.on('message', (_topic, payload) => {
      const command = decodePayload('commands', payload);
      if (!command.ok || command.value.type !== 'send_image') return;
      const answer = encodePayload('images', { v: 1, imageId: randomUUID(), commandId: command.value.commandId, capturedAt: new Date().toISOString(), width: 640, height: 480, image: { contentType, data: image.toString('base64') } });
      camera.publish(topics.images(deviceId), answer, { qos: 1 });
    });
    await camera.subscribeAsync(topics.commands(deviceId), { qos: 1 });
    await camera.publishAsync(topics.heartbeat(deviceId), heartbeatBody(), { qos: 1 });

    await expectJson(send(request, 'POST', `/api/installations/${started.session_id}/validate`, { token, json: { expected_value: 1, meter_serial: acme.meterSerial } }), 202);
    return waitForValidation(request, token, started.session_id);
  }

  const image = (sessionId: string) => send(request, 'GET', `/api/installations/${sessionId}/image`, { token });

  it('fails an SVG labelled PNG', async () => {
    const validated = await validateWithImage(SCRIPTED_SVG, 'image/png');

    const stage = validated.validation!.stages.find((entry) => entry.name === 'image_quality');
    expect(stage?.status).toBe('failed');
    const check = checkOf(validated, 'image_quality', 'image_valid');
    expect(check.status).toBe('failed');
    expect(check.measured).toBe('unsupported_format');
    expect(check.advice).toMatch(/camera sent an invalid image/);
    expect((await image(validated.session_id)).status).toBe(404);
  });

  it('fails a JPEG labelled PNG', async () => {
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 120, g: 120, b: 120 } } }).jpeg().toBuffer();
    const validated = await validateWithImage(jpeg, 'image/png');

    expect(checkOf(validated, 'image_quality', 'image_valid').measured).toBe('content_type_mismatch');
    expect((await image(validated.session_id)).status).toBe(404);
  });

  it('serves a valid image with nosniff', async () => {
    const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 120, g: 120, b: 120 } } }).png().toBuffer();
    const validated = await validateWithImage(png, 'image/png');
    expect(checkOf(validated, 'image_quality', 'resolution').status).toBe('passed');

    const response = await image(validated.session_id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(Buffer.from(await response.arrayBuffer()).equals(png)).toBe(true);
  });
});
