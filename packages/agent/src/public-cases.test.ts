import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { renderMeter, type RenderOptions } from '@metervision/firmware-sim';
import type { ReadingMessage } from '@metervision/protocol';
import { MeterReader } from '@metervision/vision';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AgentHandle, startAgent } from './agent.ts';
import { resolveAgentConfig } from './config/load.ts';

// The public roll-over and zero cases on rendered photos, read by the real MeterReader through
// the whole agent cycle. plausibility.test.ts covers the same cases on exact observations.

let reader: MeterReader;
let root: string;
let agent: AgentHandle | null = null;

beforeAll(async () => {
  reader = await MeterReader.create({ workers: 1 });
});

afterAll(async () => {
  await reader?.close();
});

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mv-public-'));
});

afterEach(async () => {
  await agent?.close();
  agent = null;
  await rm(root, { recursive: true, force: true });
});

/** Renders each value with `shape` and runs one cycle per photo; returns the readings. */
async function readPhotos(values: number[], shape: Omit<RenderOptions, 'value'>): Promise<ReadingMessage[]> {
  const { layout } = await renderMeter({ ...shape, value: values[0]! });
  const config = await resolveAgentConfig({
    deviceId: 'cam-1',
    stateDir: path.join(root, 'state'),
    logLevel: 'silent',
    source: { type: 'folder', path: root, mode: 'newest', settleMs: 0 },
    retry: { attempts: 1 },
    meter: { layout, evidence: { attach: 'never' } },
  });
  agent = await startAgent(config, { reader, schedule: false });

  const readings: ReadingMessage[] = [];
  for (const value of values) {
    await writeFile(path.join(root, 'meter.jpg'), (await renderMeter({ ...shape, value })).image);
    const outcome = await agent.captureNow();
    if (outcome.kind !== 'reading') throw new Error(`expected a reading for ${value}, got ${outcome.kind}`);
    readings.push(outcome.reading);
  }
  return readings;
}

describe('public cases on photos', () => {
  it('never publishes a half-rolled 641.9x', async () => {
    const readings = await readPhotos([640.9, 640.995, 641.01], { pointers: 2, seed: 3 });
    const published = readings.map((reading) => reading.value).filter((value) => value !== null);
    expect(published.some((value) => value >= 641.9 && value < 642)).toBe(false);
    expect(readings[1]!.value).toBe(640.99);
  });

  it('accepts 40.434 after 38.940', async () => {
    const readings = await readPhotos([38.94, 40.434], { wheels: 8, decimalWheels: 3, pointers: 0, seed: 3 });
    expect(readings[1]!.rawText).toBe('00040.434');
    expect(readings[1]!.status).toBe('accepted');
    expect(readings[1]!.value).toBe(40.434);
  });

  it('reads all zeros with pointers', async () => {
    const [reading] = await readPhotos([0.0428], { pointers: 4, seed: 3 });
    expect(reading!.status).toBe('accepted');
    expect(reading!.value).toBe(0.0428);
  });
});
