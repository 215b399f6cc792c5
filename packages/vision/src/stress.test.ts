import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateStress, type StressOutcome } from '../bench/evaluate.ts';
import { MeterReader } from './reader.ts';

// Two synthetic images per imaging condition (blur, noise, rotation, glare, exposure, light digits
// on dark wheels, decimal wheels) plus the rolling-wheel cases, rendered by firmware-sim.
describe('synthetic stress set', () => {
  let reader: MeterReader;
  let outcomes: StressOutcome[];

  beforeAll(async () => {
    reader = await MeterReader.create({ workers: 1, logger: pino({ level: 'silent' }) });
    outcomes = await evaluateStress(reader, 2, 7);
  }, 180_000);

  afterAll(async () => {
    await reader?.close();
  });

  it('publishes no wrong reading', () => {
    const wrong = outcomes.filter((outcome) => outcome.wrongButConfident).map((outcome) => `${outcome.id}: ${outcome.text} for ${outcome.expected} (${outcome.confidence})`);
    expect(wrong).toEqual([]);
  });

  it('raises no error on any image', () => {
    expect(outcomes.filter((outcome) => outcome.error !== undefined).map((outcome) => `${outcome.id}: ${outcome.error}`)).toEqual([]);
  });

  it('reads clean images right', () => {
    const clean = outcomes.filter((outcome) => outcome.condition === 'clean' || outcome.condition === 'noise-mild');
    expect(clean.filter((outcome) => outcome.accepted).length).toBeGreaterThanOrEqual(3);
  });

  it('explains every flagged reading', () => {
    const silent = outcomes.filter((outcome) => !outcome.accepted && outcome.error === undefined && !outcome.reason);
    expect(silent.map((outcome) => outcome.id)).toEqual([]);
  });
});
