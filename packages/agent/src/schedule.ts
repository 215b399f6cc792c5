import type { Schedule } from '@metervision/protocol';

const MINUTES_PER_DAY = 1_440;

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return hours! * 60 + minutes!;
}

/** Returns whether `at` (device local time) falls in the quiet window; the window may span midnight. */
export function isQuietTime(at: Date, quietHours: Schedule['quietHours']): boolean {
  if (!quietHours) return false;

  const start = minutesOf(quietHours.start);
  const end = minutesOf(quietHours.end);
  const now = at.getHours() * 60 + at.getMinutes();
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/** Returns the first instant at or after `at` outside the quiet window (device local time). */
export function endOfQuietTime(at: Date, quietHours: Schedule['quietHours']): Date {
  if (!quietHours || !isQuietTime(at, quietHours)) return at;

  const now = at.getHours() * 60 + at.getMinutes();
  const wait = (minutesOf(quietHours.end) - now + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  const end = new Date(at);
  end.setSeconds(0, 0);
  end.setMinutes(end.getMinutes() + wait);
  return end;
}

/**
 * Time of the next scheduled capture after one at `from`: the interval plus a random share of
 * the jitter, moved to the end of the quiet window when it falls inside it.
 *
 * @example
 * nextCaptureAt(new Date(), { intervalSeconds: 300, jitterSeconds: 30 }) // 5 to 5.5 minutes on
 */
export function nextCaptureAt(from: Date, schedule: Schedule, random: () => number = Math.random): Date {
  const delayMs = (schedule.intervalSeconds + random() * schedule.jitterSeconds) * 1_000;
  return endOfQuietTime(new Date(from.getTime() + delayMs), schedule.quietHours);
}
