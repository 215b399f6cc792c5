import { copyFileSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentHandle } from '@metervision/agent';
import type { CloudHandle } from '@metervision/cloud';
import { describeEachDialect } from '@metervision/cloud/testing/dialects';
import { renderMeter } from '@metervision/firmware-sim';
import type { MeterLayoutInput } from '@metervision/protocol';
import { MeterReader } from '@metervision/vision';
import { corpusAvailable, loadAiedgeSets, type PhotoSet } from '@metervision/vision/corpus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api.ts';
import { ADMIN, createMeter, registerDevice, startFolderAgent, startTestCloud, tempFolder, waitFor } from '../support/stack.ts';

interface ReadingJson {
  id: string;
  status: string;
  value: number | null;
  raw_value: number | null;
  raw_text: string | null;
  text: string | null;
  confidence: number;
  reason: string | null;
  image_url: string | null;
  device_id: string | null;
}

// Values between two ticks of the finest dial, so the true reading is not ambiguous.
const SYNTHETIC_VALUES = [321.23456, 321.27123, 321.31588, 321.39214];

let reader: MeterReader;

beforeAll(async () => {
  reader = await MeterReader.create();
});

afterAll(async () => {
  await reader.close();
});

/** Writes the images into `folder` with modification times one second apart, oldest first. */
function writeInOrder(folder: string, images: { name: string; bytes?: Buffer; from?: string }[]): void {
  const start = Date.now() / 1000 - images.length - 10;
  images.forEach((image, index) => {
    const path = join(folder, image.name);
    if (image.from) copyFileSync(image.from, path);
    else writeFileSync(path, image.bytes!);
    utimesSync(path, start + index, start + index);
  });
}

async function readingsOf(api: Api, serial: string, count: number): Promise<ReadingJson[]> {
  return waitFor(`${count} readings of ${serial}`, async () => {
    const readings = await api.get<ReadingJson[]>(`/meters/${serial}/readings?limit=100`);
    return readings.length >= count ? readings : undefined;
  });
}

describeEachDialect('synthetic photos reach the API', (target) => {
  let cloud: CloudHandle;
  let agent: AgentHandle;
  let api: Api;
  const photos = tempFolder('synthetic');
  const truths: { value: number; text: string }[] = [];

  beforeAll(async () => {
    cloud = await startTestCloud({ dataDir: target.dataDir, databaseUrl: await target.createUrl() });
    api = new Api(cloud.httpUrl);
    await api.login(ADMIN.username, ADMIN.password);

    const rendered = await Promise.all(SYNTHETIC_VALUES.map((value, index) => renderMeter({ value, seed: index + 1 })));
    const layout = rendered[0]!.layout;
    writeInOrder(photos.path, rendered.map((meter, index) => ({ name: `photo-${index}.jpg`, bytes: meter.image })));
    truths.push(...rendered.map((meter) => ({ value: meter.value, text: meter.text })));

    await createMeter(api, 'SYN-0001', layout);
    const secret = await registerDevice(api, 'e2e-cam-synthetic', 'SYN-0001');
    agent = await startFolderAgent({
      deviceId: 'e2e-cam-synthetic',
      secret,
      mqttUrl: cloud.mqttUrl!,
      folder: photos.path,
      stateDir: join(target.dataDir, 'agent'),
      meterSerial: 'SYN-0001',
      layout,
      reader,
    });
  });

  afterAll(async () => {
    await agent?.close();
    await cloud?.close();
    photos.remove();
    target.cleanup();
  });

  it('serves every reading newest first', async () => {
    for (const _ of SYNTHETIC_VALUES) await agent.captureNow();
    const readings = await readingsOf(api, 'SYN-0001', SYNTHETIC_VALUES.length);

    const oldestFirst = [...readings].reverse();
    oldestFirst.forEach((reading, index) => {
      expect(reading.status, `photo ${index}: ${reading.reason}`).toBe('accepted');
      expect(reading.value, `photo ${index}`).toBeCloseTo(truths[index]!.value, 6);
      expect(reading.text, `photo ${index}`).toBe(truths[index]!.text);
      expect(reading.device_id).toBe('e2e-cam-synthetic');
    });
  });

  it('serves the meter with its latest reading', async () => {
    const meter = await api.get<{ serial_number: string; latest_reading: ReadingJson | null }>('/meters/SYN-0001');

    expect(meter.serial_number).toBe('SYN-0001');
    expect(meter.latest_reading?.value).toBeCloseTo(truths.at(-1)!.value, 6);
  });

  it('serves the image evidence', async () => {
    const [newest] = await api.get<ReadingJson[]>('/meters/SYN-0001/readings?limit=1');
    expect(newest?.image_url).toBeTruthy();

    const response = await api.fetch(newest!.image_url!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^image\/(jpeg|png)$/);
  });
});

describe.skipIf(!corpusAvailable())('real aiedge photos reach the API', () => {
  let cloud: CloudHandle;
  let api: Api;
  const dataDir = tempFolder('aiedge');
  const agents: AgentHandle[] = [];
  let sets: PhotoSet[];

  beforeAll(async () => {
    sets = await loadAiedgeSets();
    cloud = await startTestCloud({ dataDir: dataDir.path });
    api = new Api(cloud.httpUrl);
    await api.login(ADMIN.username, ADMIN.password);
  });

  afterAll(async () => {
    for (const agent of agents) await agent.close();
    await cloud?.close();
    dataDir.remove();
  });

  it.each(['aiedge/demo-2024', 'aiedge/demo-2022'])('%s: read within label tolerance', async (setName) => {
    const set = sets.find((candidate) => candidate.name === setName)!;
    const serial = setName.replace('aiedge/', 'AIEDGE-');
    const deviceId = `e2e-${serial.toLowerCase()}`;
    const photos = [...set.photos].sort((a, b) => Number(a.label) - Number(b.label));
    const folder = join(dataDir.path, serial);
    mkdirSync(folder, { recursive: true });
    writeInOrder(folder, photos.map((photo, index) => ({ name: `${String(index).padStart(2, '0')}.jpg`, from: photo.path })));

    // The layout travels as JSON: the alignment marks as data URLs.
    const layout = JSON.parse(JSON.stringify(set.layout)) as MeterLayoutInput;
    await createMeter(api, serial, layout);
    const secret = await registerDevice(api, deviceId, serial);
    const agent = await startFolderAgent({ deviceId, secret, mqttUrl: cloud.mqttUrl!, folder, stateDir: join(folder, '.agent'), meterSerial: serial, layout, reader });
    agents.push(agent);

    for (const _ of photos) await agent.captureNow();
    const oldestFirst = (await readingsOf(api, serial, photos.length)).reverse();

    const accepted = oldestFirst.filter((reading) => reading.status === 'accepted');
    oldestFirst.forEach((reading, index) => {
      const photo = photos[index]!;
      if (reading.status !== 'accepted') return;
      expect(Math.trunc(reading.value!), photo.file).toBe(Math.trunc(Number(photo.label)));
      expect(Math.abs(reading.value! - Number(photo.label)), photo.file).toBeLessThanOrEqual(photo.wrongAbove);
    });
    // Every photo of these sets is readable; a flagged one is a regression of the reader.
    expect(accepted.length, oldestFirst.map((reading) => `${reading.status} ${reading.raw_text} ${reading.reason ?? ''}`).join('\n')).toBe(photos.length);
  });
});

if (!corpusAvailable()) {
  console.warn('Skipping the real-photo end-to-end tests: ../shared/corpus (aiedge, nohn-sample) is not next to the repository.');
}

