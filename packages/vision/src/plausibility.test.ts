import { describe, expect, it } from 'vitest';
import { composeReading } from './compose.ts';
import { checkPlausibility } from './plausibility.ts';

const start = new Date('2026-01-01T00:00:00Z');
const minutesLater = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
const noLimits = { allowNegativeRate: false };

describe('checkPlausibility', () => {
  it('accepts the first reading', () => {
    expect(checkPlausibility({ value: 5, at: start }, null, { allowNegativeRate: false, maxDelta: 0.1 })).toEqual({ accepted: true });
  });

  it('accepts 000040.434 after 38.940', () => {
    const digits = [...'000040'].map((digit, index) => ({ name: `dig${index}`, digit: Number(digit), confidence: 0.9 }));
    const decimalDigits = [...'434'].map((digit, index) => ({ name: `dec${index}`, digit: Number(digit), confidence: 0.9 }));
    const reading = composeReading({ digits, decimalDigits });
    expect(reading.text).toBe('000040.434');

    const verdict = checkPlausibility({ value: reading.value!, at: minutesLater(60) }, { value: 38.94, at: start }, { allowNegativeRate: false, maxRatePerMinute: 0.1 });
    expect(verdict).toEqual({ accepted: true });
    expect(reading.value).toBe(40.434);
  });

  it('rejects 307.41 after 7.01 by rate', () => {
    const verdict = checkPlausibility({ value: 307.41, at: minutesLater(15) }, { value: 7.01, at: start }, { allowNegativeRate: false, maxRatePerMinute: 1 });
    expect(verdict).toMatchObject({ accepted: false, code: 'max_rate' });
  });

  it('rejects 307.41 after 7.01 by delta', () => {
    const verdict = checkPlausibility({ value: 307.41, at: minutesLater(15) }, { value: 7.01, at: start }, { allowNegativeRate: false, maxDelta: 50 });
    expect(verdict).toMatchObject({ accepted: false, code: 'max_delta' });
    if (!verdict.accepted) expect(verdict.reason).toMatch(/300\.4/);
  });

  it('rejects a value going backwards', () => {
    const verdict = checkPlausibility({ value: 530.07, at: minutesLater(1) }, { value: 530.08, at: start }, noLimits);
    expect(verdict).toMatchObject({ accepted: false, code: 'negative_rate' });
  });

  it('accepts backwards when allowed', () => {
    expect(checkPlausibility({ value: 530.07, at: minutesLater(1) }, { value: 530.08, at: start }, { allowNegativeRate: true })).toEqual({ accepted: true });
  });

  it('treats the delta limit inclusively', () => {
    const rules = { allowNegativeRate: false, maxDelta: 0.1 };
    expect(checkPlausibility({ value: 819.7797, at: minutesLater(1) }, { value: 819.6798, at: start }, rules)).toEqual({ accepted: true });
    expect(checkPlausibility({ value: 819.7797, at: minutesLater(1) }, { value: 819.6796, at: start }, rules)).toMatchObject({ accepted: false, code: 'max_delta' });
  });

  it('rejects a change at no elapsed time', () => {
    const verdict = checkPlausibility({ value: 10.5, at: start }, { value: 10, at: start }, { allowNegativeRate: false, maxRatePerMinute: 1 });
    expect(verdict).toMatchObject({ accepted: false, code: 'max_rate' });
  });

  it('accepts an unchanged value at no elapsed time', () => {
    expect(checkPlausibility({ value: 10, at: start }, { value: 10, at: start }, { allowNegativeRate: false, maxRatePerMinute: 1 })).toEqual({ accepted: true });
  });
});
