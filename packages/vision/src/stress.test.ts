import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateStress, type StressOutcome } from '../bench/evaluate.ts';
import { MeterReader } from './reader.ts';

// Two synthetic images per imaging condition (blur, noise, rotation, glare, exposure, light digits
// on dark wheels, decimal wheels) plus the rolling-wheel cases, rendered by firmware-sim. The
// benchmark (`pnpm bench:vision`) reads larger sets; this one keeps the test run short.
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
    const clean = outcomes.filter((outcome) => ['clean', 'noise-mild', 'light-on-dark'].includes(outcome.condition) || outcome.condition.startsWith('rolling'));
    expect(clean.filter((outcome) => !outcome.accepted).map((outcome) => `${outcome.id}: ${outcome.reason}`)).toEqual([]);
  });

  it('reads most images of every condition', () => {
    // A glare spot that saturates the counter leaves a wheel blank: no reader can read it.
    const readable = outcomes.filter((outcome) => outcome.condition !== 'glare-counter');
    expect(readable.filter((outcome) => outcome.accepted).length).toBeGreaterThanOrEqual(Math.ceil(0.9 * readable.length));
  });

  it('explains every flagged reading', () => {
    const silent = outcomes.filter((outcome) => !outcome.accepted && outcome.error === undefined && !outcome.reason);
    expect(silent.map((outcome) => outcome.id)).toEqual([]);
  });
});
