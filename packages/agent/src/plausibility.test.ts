import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AgentHandle, startAgent } from './agent.ts';
import { resolveAgentConfig } from './config/load.ts';
import type { CycleOutcome } from './pipeline.ts';
import { type MeterShape, ObservationReader, observationLayout as layout, observe } from './testing/observation-reader.ts';

const reader = new ObservationReader();
let root: string;
let agent: AgentHandle | null = null;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mv-plausibility-'));
});

afterEach(async () => {
  await agent?.close();
  agent = null;
  await rm(root, { recursive: true, force: true });
});

async function start(meterLayout: object, plausibility: object = {}): Promise<AgentHandle> {
  const config = await resolveAgentConfig({
    deviceId: 'cam-1',
    stateDir: path.join(root, 'state'),
    logLevel: 'silent',
    source: { type: 'folder', path: root, mode: 'newest', extensions: ['.json'], settleMs: 0 },
    retry: { attempts: 1 },
    meter: { layout: meterLayout, plausibility, evidence: { attach: 'never' } },
  });
  return startAgent(config, { reader, schedule: false });
}

/** Shows the meter the observations describe and runs one cycle. */
async function read(observations: object): Promise<CycleOutcome & { kind: 'reading' }> {
  await writeFile(path.join(root, 'meter.json'), JSON.stringify(observations));
  const outcome = await agent!.captureNow();
  if (outcome.kind !== 'reading') throw new Error(`expected a reading, got ${outcome.kind}`);
  return outcome;
}

const WET_DIAL: MeterShape = { wheels: 5, decimalWheels: 0, pointers: 2 };
const RED_WHEELS: MeterShape = { wheels: 9, decimalWheels: 3, pointers: 0 };
const FOUR_DIALS: MeterShape = { wheels: 5, decimalWheels: 0, pointers: 4 };

describe('plausibility on the device', () => {
  it('never publishes a half-rolled 641.9x', async () => {
    agent = await start(layout(WET_DIAL));
    const halfRolled = observe(640.995, WET_DIAL);
    // The units wheel is half-way from 0 to 1, and the OCR reads the 1 rolling in.
    expect(halfRolled.digits.at(-1)).toMatchObject({ digit: 1 });

    const readings = [];
    for (const observations of [observe(640.9, WET_DIAL), halfRolled, observe(641.01, WET_DIAL)]) {
      readings.push((await read(observations)).reading);
    }
    const published = readings.map((reading) => reading.value).filter((value) => value !== null);
    expect(published.some((value) => value >= 641.9 && value < 642)).toBe(false);
    expect(readings[1]!.value).toBe(640.99);
    expect(readings[2]!.value).toBe(641.01);
  });

  it('accepts 640.90 on a rolling wheel', async () => {
    agent = await start(layout(WET_DIAL, 'continuous'));
    const { reading } = await read(observe(640.9, WET_DIAL));
    expect(reading.status).toBe('accepted');
    expect(reading.value).toBe(640.9);
  });

  it('accepts 000040.434 after 38.940', async () => {
    agent = await start(layout(RED_WHEELS), { maxDelta: 5 });
    expect((await read(observe(38.94, RED_WHEELS))).reading.value).toBe(38.94);

    const { reading } = await read(observe(40.434, RED_WHEELS));
    expect(reading.rawText).toBe('000040.434');
    expect(reading.status).toBe('accepted');
    expect(reading.value).toBe(40.434);
  });

  it('reads all zeros with pointers', async () => {
    agent = await start(layout(FOUR_DIALS));
    const { reading } = await read(observe(0.0428, FOUR_DIALS));
    expect(reading.text).toBe('00000.0428');
    expect(reading.status).toBe('accepted');
    expect(reading.value).toBe(0.0428);
  });

  it('rejects 307.41 after a restart at 7.01', async () => {
    agent = await start(layout(WET_DIAL), { maxRatePerMinute: 1 });
    expect((await read(observe(7.01, WET_DIAL))).reading.value).toBe(7.01);
    await agent.close();

    agent = await start(layout(WET_DIAL), { maxRatePerMinute: 1 });
    const { reading } = await read(observe(307.41, WET_DIAL));
    expect(reading.status).toBe('rejected');
    expect(reading.reasonCode).toBe('max_rate');
    expect(reading.value).toBeNull();
    expect(reading.rawValue).toBe(307.41);
  });

  it('rejects a negative rate', async () => {
    agent = await start(layout(WET_DIAL));
    await read(observe(120.2, WET_DIAL));
    const { reading } = await read(observe(118.2, WET_DIAL));
    expect(reading.status).toBe('rejected');
    expect(reading.reasonCode).toBe('negative_rate');
    expect(reading.rawValue).toBe(118.2);
  });

  it('accepts a negative rate when allowed', async () => {
    agent = await start(layout(WET_DIAL), { allowNegativeRate: true });
    await read(observe(120.2, WET_DIAL));
    expect((await read(observe(118.2, WET_DIAL))).reading.status).toBe('accepted');
  });

  it('applies the decimal shift', async () => {
    const litres: MeterShape = { wheels: 8, decimalWheels: 0, pointers: 0 };
    agent = await start({ ...layout(litres), decimalShift: -3 });
    const { reading } = await read(observe(40434, litres));
    expect(reading.value).toBe(40.434);
  });
});
