import { encodePayload, topics, type EmbeddedImage } from '@metervision/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerDevice } from '../devices/credentials.ts';
import { startCloud, type CloudHandle } from '../start.ts';
import { describeEachDialect } from '../testing/dialects.ts';
import { pngWithDeclaredSize, testJpeg } from '../testing/images.ts';
import { readingMessage } from '../testing/messages.ts';
import { seed, type SeededOrganization } from '../testing/seed.ts';
import type { ImageProblem } from './image-check.ts';

// Images that devices send inside reading messages get the checks of an HTTP upload. An invalid
// image is dropped and logged, and the reading is stored without it.

interface LogLine {
  msg: string;
  deviceId?: string;
  readingId?: string;
  problem?: ImageProblem;
}

const DROPPED = 'invalid reading image dropped; reading stored without it';

describeEachDialect('device reading images', (target) => {
  const logs: LogLine[] = [];
  const clients: MqttClient[] = [];
  let cloud: CloudHandle;
  let acme: SeededOrganization;
  let token: string;
  let device: MqttClient;
  let jpeg: Buffer;
  let png: Buffer;

  beforeAll(async () => {
    const logger = pino({ level: 'warn' }, { write: (line: string) => logs.push(JSON.parse(line) as LogLine) });
    cloud = await startCloud({ port: 0, mqttPort: 0, databaseUrl: await target.createUrl(), dataDir: target.dataDir, logger, jwtSecret: 'i'.repeat(40) });
    const data = await seed(cloud.database, cloud.repos, 'di');
    acme = data.organizations[0];
    const login = await cloud.app.request('/token', { method: 'POST', body: new URLSearchParams({ username: acme.members.installer, password: data.password }) });
    token = ((await login.json()) as { access_token: string }).access_token;
    device = await connect(acme.deviceId, acme.deviceSecret);
    jpeg = await testJpeg(320, 240);
    png = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#405060' } }).png().toBuffer();
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    await cloud.close();
    target.cleanup();
  });

  const connect = async (deviceId: string, secret: string) => {
    const client = await mqtt.connectAsync(cloud.mqttUrl!, { clientId: deviceId, username: deviceId, password: secret, reconnectPeriod: 0 });
    clients.push(client);
    return client;
  };
  const embedded = (contentType: EmbeddedImage['contentType'], bytes: Buffer): EmbeddedImage => ({ contentType, data: bytes.toString('base64') });
  const publishReading = async (client: MqttClient, deviceId: string, image: EmbeddedImage) => {
    const message = readingMessage({ status: 'flagged', value: null, image });
    await client.publishAsync(topics.readings(deviceId), encodePayload('readings', message), { qos: 1 });
    return message.readingId;
  };
  const get = (path: string) => cloud.app.request(path, { headers: { authorization: `Bearer ${token}` } });
  const dropped = () => logs.filter((line) => line.msg === DROPPED);

  it('stores a valid JPEG', async () => {
    const readingId = await publishReading(device, acme.deviceId, embedded('image/jpeg', jpeg));

    const stored = await cloud.repos.readings.findForMeter(acme.meterId, readingId);
    expect(stored?.imageContentType).toBe('image/jpeg');
    const served = await get(`/meters/${acme.meterSerial}/readings/${readingId}/image`);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(jpeg)).toBe(true);
  });

  it('stores a valid PNG', async () => {
    const readingId = await publishReading(device, acme.deviceId, embedded('image/png', png));

    const stored = await cloud.repos.readings.findForMeter(acme.meterId, readingId);
    expect(stored?.imageContentType).toBe('image/png');
    expect((await cloud.deps.evidence.load(stored!.imagePath!)).equals(png)).toBe(true);
  });

  const invalidImages: { name: string; image: () => EmbeddedImage; problem: ImageProblem }[] = [
    { name: 'a truncated PNG', image: () => embedded('image/png', png.subarray(0, Math.floor(png.length * 0.9))), problem: 'corrupt' },
    { name: 'a PNG with bad data', image: () => embedded('image/png', withFlippedByte(png, Math.floor(png.length / 2))), problem: 'corrupt' },
    { name: 'a truncated JPEG', image: () => embedded('image/jpeg', jpeg.subarray(0, jpeg.length - 200)), problem: 'corrupt' },
    { name: 'HTML labelled PNG', image: () => embedded('image/png', Buffer.from('<html><script>alert(document.cookie)</script></html>')), problem: 'unreadable' },
    { name: 'a PNG labelled JPEG', image: () => embedded('image/jpeg', png), problem: 'content_type_mismatch' },
    { name: 'a 20000×20000 PNG', image: () => embedded('image/png', pngWithDeclaredSize(20_000, 20_000)), problem: 'too_many_pixels' },
  ];

  it.each(invalidImages.map((testCase) => [testCase.name, testCase] as const))('drops %s', async (_name, { image, problem }) => {
    const before = cloud.ingestion.counters.imagesRejected;

    const readingId = await publishReading(device, acme.deviceId, image());

    const stored = await cloud.repos.readings.findForMeter(acme.meterId, readingId);
    expect(stored?.status).toBe('flagged');
    expect(stored?.imagePath).toBeNull();
    expect(stored?.imageContentType).toBeNull();
    expect(cloud.ingestion.counters.imagesRejected).toBe(before + 1);
    expect(dropped().at(-1)).toMatchObject({ deviceId: acme.deviceId, readingId, problem });
    expect(device.connected).toBe(true);
  });

  it('serves no URL for dropped images', async () => {
    const readingId = await publishReading(device, acme.deviceId, embedded('image/png', Buffer.from('<html></html>')));

    const listed = await get(`/meters/${acme.meterSerial}/readings?limit=1`);
    const [newest] = (await listed.json()) as { id: string; image_url: string | null }[];
    expect(newest?.id).toBe(readingId);
    expect(newest?.image_url).toBeNull();
    expect((await get(`/meters/${acme.meterSerial}/readings/${readingId}/image`)).status).toBe(404);
  });

  it('drops images of unassigned readings', async () => {
    const spare = await registerDevice(cloud.database, { deviceId: 'di-spare-cam', organizationId: acme.id, meterId: null });
    const client = await connect(spare.deviceId, spare.secret);

    const readingId = await publishReading(client, spare.deviceId, embedded('image/png', png.subarray(0, 100)));

    const stored = await cloud.repos.unassignedReadings.findForDevice(spare.deviceId, readingId);
    expect(stored?.imagePath).toBeNull();
    expect(dropped().at(-1)).toMatchObject({ deviceId: spare.deviceId, readingId, problem: 'corrupt' });
  });
});

function withFlippedByte(file: Buffer, index: number): Buffer {
  const copy = Buffer.from(file);
  copy[index] = copy[index]! ^ 0xff;
  return copy;
}
