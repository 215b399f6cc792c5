import type { Schedule } from '@metervision/protocol';

/** Returns whether `now` (device local time) falls in the quiet window, which may span midnight. */
export function inQuietHours(schedule: Pick<Schedule, 'quietHours'>, now: Date): boolean {
  if (!schedule.quietHours) return false;
  const minutes = now.getHours() * 60 + now.getMinutes();
  const start = clockMinutes(schedule.quietHours.start);
  const end = clockMinutes(schedule.quietHours.end);
  if (start === end) return false;
  return start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

function clockMinutes(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}
