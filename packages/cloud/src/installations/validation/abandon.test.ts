import { describe, expect, it } from 'vitest';
import type { ValidationRecord } from '../types.ts';
import { ABANDONED_CHECK_ID, abandonedRecord } from './abandon.ts';
import { makeCheck } from './checks.ts';
import { newValidationRecord } from './runner.ts';

const NOW = new Date('2026-12-04T20:00:10.000Z');

/** Builds run 3, started at 20:00:00, whose first `finished` stages passed and whose next one may be running. */
function recordWith(finished: number, running: boolean): ValidationRecord {
  const record = newValidationRecord(3, 7, 530, 'WM-1');
  record.startedAt = '2026-12-04T20:00:00.000Z';
  for (const stage of record.stages.slice(0, finished)) {
    stage.status = 'passed';
    stage.checks = [makeCheck('camera_online', 'passed', { measured: 'online', message: 'The camera is online.' })];
  }
  if (running) {
    const stage = record.stages[finished]!;
    stage.status = 'running';
    stage.startedAt = '2026-12-04T20:00:04.000Z';
  }
  return record;
}

describe('abandonedRecord', () => {
  it('fails the running stage', () => {
    const record = recordWith(1, true);
    const abandoned = abandonedRecord(record, NOW)!;

    expect(abandoned.status).toBe('failed');
    expect(abandoned.durationMs).toBe(10_000);
    expect(abandoned.stages.map((stage) => stage.status)).toEqual(['passed', 'failed', 'skipped', 'skipped']);
    expect(abandoned.stages[1]!.durationMs).toBe(6_000);
    expect(abandoned.stages[1]!.checks.map((check) => check.id)).toEqual([ABANDONED_CHECK_ID]);
    expect(abandoned.stages[1]!.checks[0]!.message).toBe('The cloud shut down during the image quality stage, so the validation was abandoned.');
    expect(abandoned.stages[3]!.skippedReason).toMatch(/abandoned when the cloud shut down/);
  });

  it('leaves the input record unchanged', () => {
    const record = recordWith(1, true);
    abandonedRecord(record, NOW);
    expect(record.status).toBe('running');
    expect(record.stages[1]!.status).toBe('running');
  });

  it('fails the next stage between stages', () => {
    const abandoned = abandonedRecord(recordWith(2, false), NOW)!;
    expect(abandoned.stages.map((stage) => stage.status)).toEqual(['passed', 'passed', 'failed', 'skipped']);
    expect(abandoned.stages[2]!.startedAt).toBe(NOW.toISOString());
    expect(abandoned.stages[2]!.durationMs).toBe(0);
  });

  it('ignores a run with every stage finished', () => {
    expect(abandonedRecord(recordWith(4, false), NOW)).toBeNull();
  });
});
