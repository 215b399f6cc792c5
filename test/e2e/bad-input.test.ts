import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentHandle } from '@metervision/agent';
import type { CloudHandle } from '@metervision/cloud';
import { renderMeter } from '@metervision/firmware-sim';
import type { MeterLayoutInput } from '@metervision/protocol';
import { MeterReader } from '@metervision/vision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api.ts';
import { ADMIN, createMeter, registerDevice, startFolderAgent, startTestCloud, tempFolder, waitFor } from '../support/stack.ts';

interface ReadingJson {
  id: string;
  status: string;
  reason_code: string | null;
  reason: string | null;
}

describe('bad input on the edge', () => {
  let reader: MeterReader;
  let cloud: CloudHandle;
  let api: Api;
  const dataDir = tempFolder('bad-input');
  const agents: AgentHandle[] = [];

  beforeAll(async () => {
    reader = await MeterReader.create();
    cloud = await startTestCloud({ dataDir: dataDir.path });
    api = new Api(cloud.httpUrl);
    await api.login(ADMIN.username, ADMIN.password);
  });

  afterAll(async () => {
    for (const agent of agents) await agent.close();
    await cloud?.close();
    await reader?.close();
    dataDir.remove();
  });

  async function agentFor(serial: string, layout: MeterLayoutInput, files: { name: string; bytes: Buffer }[]): Promise<AgentHandle> {
    const folder = join(dataDir.path, serial);
    const start = Date.now() / 1000 - 100;
    mkdirSync(folder, { recursive: true });
    files.forEach((file, index) => {
      writeFileSync(join(folder, file.name), file.bytes);
      utimesSync(join(folder, file.name), start + index, start + index);
    });

    await createMeter(api, serial, layout);
    const deviceId = `e2e-${serial.toLowerCase()}`;
    const secret = await registerDevice(api, deviceId, serial);
    const agent = await startFolderAgent({ deviceId, secret, mqttUrl: cloud.mqttUrl!, folder, stateDir: join(folder, '.agent'), meterSerial: serial, layout, reader });
    agents.push(agent);
    return agent;
  }

  async function readings(serial: string, count: number): Promise<ReadingJson[]> {
    const newestFirst = await waitFor(`${count} readings of ${serial}`, async () => {
      const stored = await api.get<ReadingJson[]>(`/meters/${serial}/readings?limit=100`);
      return stored.length >= count ? stored : undefined;
    });
    return newestFirst.reverse();
  }

  it('reports corrupt files by name and keeps reading', async () => {
    const good = await renderMeter({ value: 42.12345, seed: 3 });
    const later = await renderMeter({ value: 42.15678, seed: 4 });
    const agent = await agentFor('BAD-0001', good.layout, [
      { name: 'a-good.jpg', bytes: good.image },
      { name: 'b-truncated.jpg', bytes: good.image.subarray(0, Math.floor(good.image.length / 3)) },
      { name: 'c-not-an-image.jpg', bytes: Buffer.from('this is a text file, not a photo\n') },
      { name: 'd-good.jpg', bytes: later.image },
    ]);

    for (let index = 0; index < 4; index += 1) await agent.captureNow();
    const [first, truncated, text, last] = await readings('BAD-0001', 4);

    expect(first!.status).not.toBe('failed');
    expect(truncated!.status).toBe('failed');
    expect(truncated!.reason).toContain('b-truncated.jpg');
    expect(text!.status).toBe('failed');
    expect(text!.reason).toContain('c-not-an-image.jpg');
    expect(last!.status).not.toBe('failed');
    expect(agent.status().outbox.pending).toBe(0);
  });

  it('reports an ROI outside the image', async () => {
    const meter = await renderMeter({ value: 7.25, seed: 5 });
    const layout = structuredClone(meter.layout);
    const digits = layout.digits!;
    digits[0] = { ...digits[0]!, x: 5_000 };
    delete layout.frame;
    const agent = await agentFor('BAD-0002', layout, [{ name: 'outside.jpg', bytes: meter.image }]);

    await agent.captureNow();
    const [reading] = await readings('BAD-0002', 1);

    expect(reading!.status).toBe('failed');
    expect(reading!.reason_code).toBe('roi_outside_image');
    expect(reading!.reason).toContain('outside.jpg');
    expect(reading!.reason).toContain(digits[0]!.name);
  });
});
