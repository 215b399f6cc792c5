import { describe, expect, it } from 'vitest';
import { endOfQuietTime, isQuietTime, nextCaptureAt } from './schedule.ts';

const local = (hours: number, minutes = 0) => new Date(2026, 11, 4, hours, minutes, 0, 0);
const night = { start: '22:00', end: '06:00' };

describe('schedule', () => {
  it('adds the interval without jitter', () => {
    const next = nextCaptureAt(local(12), { intervalSeconds: 300, jitterSeconds: 0 });
    expect(next.getTime() - local(12).getTime()).toBe(300_000);
  });

  it('adds at most the jitter', () => {
    const schedule = { intervalSeconds: 60, jitterSeconds: 30 };
    expect(nextCaptureAt(local(12), schedule, () => 0).getTime() - local(12).getTime()).toBe(60_000);
    expect(nextCaptureAt(local(12), schedule, () => 0.999).getTime() - local(12).getTime()).toBeCloseTo(89_970, -1);
  });

  it('detects quiet time across midnight', () => {
    expect(isQuietTime(local(23), night)).toBe(true);
    expect(isQuietTime(local(3), night)).toBe(true);
    expect(isQuietTime(local(6), night)).toBe(false);
    expect(isQuietTime(local(12), night)).toBe(false);
  });

  it('detects quiet time within a day', () => {
    const lunch = { start: '12:00', end: '13:30' };
    expect(isQuietTime(local(12, 45), lunch)).toBe(true);
    expect(isQuietTime(local(13, 30), lunch)).toBe(false);
  });

  it('moves a capture to the end of quiet time', () => {
    const next = nextCaptureAt(local(21, 58), { intervalSeconds: 300, jitterSeconds: 0, quietHours: night });
    expect(next).toEqual(new Date(2026, 11, 5, 6, 0, 0, 0));
  });

  it('keeps a capture outside quiet time', () => {
    expect(endOfQuietTime(local(12), night)).toEqual(local(12));
  });
});
