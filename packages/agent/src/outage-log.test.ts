import { describe, expect, it } from 'vitest';
import { OutageLog } from './outage-log.ts';
import { collectLogs, WARN } from './testing/log-sink.ts';

const REFUSED = { kind: 'ECONNREFUSED', message: 'broker connection error', fields: { code: 'ECONNREFUSED' } };

/** Creates an outage log on a clock the test moves, with summaries after 60 s doubling up to 240 s. */
function outageLog() {
  const clock = { now: 0 };
  const { logger, lines } = collectLogs('info');
  const log = new OutageLog({ logger, subject: 'broker connection', firstSummaryAfterMs: 60_000, maxSummaryIntervalMs: 240_000, now: () => clock.now });
  const warnings = () => lines.filter((line) => line.level === WARN);
  return { log, clock, warnings };
}

describe('OutageLog', () => {
  it('logs the first failure once', () => {
    const { log, clock, warnings } = outageLog();
    for (clock.now = 0; clock.now < 60_000; clock.now += 5_000) log.failure(REFUSED);

    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ msg: 'broker connection error', code: 'ECONNREFUSED' });
  });

  it('logs a new error kind at once', () => {
    const { log, clock, warnings } = outageLog();
    log.failure(REFUSED);
    clock.now = 5_000;
    log.failure({ kind: 'ENOTFOUND', message: 'broker connection error', fields: { code: 'ENOTFOUND' } });

    expect(warnings().map((line) => line.code)).toEqual(['ECONNREFUSED', 'ENOTFOUND']);
  });

  it('summarises repeats on a doubling schedule', () => {
    const { log, clock, warnings } = outageLog();
    // One attempt every 5 s for 20 minutes.
    for (clock.now = 0; clock.now <= 1_200_000; clock.now += 5_000) log.failure(REFUSED);

    const summaries = warnings().slice(1);
    // Summaries at 60 s, then 120 s, 240 s and 240 s (the maximum) apart.
    expect(summaries.map((line) => line.downForMs)).toEqual([60_000, 180_000, 420_000, 660_000, 900_000, 1_140_000]);
    expect(summaries[0]).toMatchObject({ failedAttempts: 12, msg: 'broker connection still failing; 12 failed attempts since the last line' });
    expect(summaries[1]!.failedAttempts).toBe(24);
  });

  it('reports the outage length on recovery', () => {
    const { log, clock, warnings } = outageLog();
    for (clock.now = 0; clock.now <= 10_000; clock.now += 5_000) log.failure(REFUSED);
    clock.now = 12_000;

    expect(log.recovered()).toEqual({ downForMs: 12_000, failedAttempts: 3 });
    expect(log.recovered()).toBeNull();
    log.failure(REFUSED);
    expect(warnings()).toHaveLength(2);
  });
});
