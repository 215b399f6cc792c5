import type { PlausibilityRules } from '@metervision/protocol';

export interface TimedValue {
  value: number;
  at: Date;
}

export type PlausibilityVerdict =
  | { accepted: true }
  | { accepted: false; code: 'negative_rate' | 'max_delta' | 'max_rate'; reason: string };

// Compared values come from decimal text; this absorbs binary rounding of their difference
// (0.1 - 0.0999 must not fail a limit of 0.1 by 1e-17).
const TOLERANCE = 1e-9;

/**
 * Checks a new value against the previous accepted one. The same function runs on the device
 * before publishing and in the cloud before storing, so both reject the same readings.
 * Without a previous value every candidate is accepted.
 *
 * @example
 * checkPlausibility({ value: 307.41, at: now }, { value: 7.01, at: hourAgo }, { allowNegativeRate: false, maxDelta: 5 });
 * // { accepted: false, code: 'max_delta', reason: 'change of 300.4 exceeds the maximum change of 5 between readings' }
 */
export function checkPlausibility(candidate: TimedValue, previous: TimedValue | null, rules: PlausibilityRules): PlausibilityVerdict {
  if (previous === null) return { accepted: true };

  const delta = candidate.value - previous.value;
  if (delta < -TOLERANCE && !rules.allowNegativeRate) {
    return {
      accepted: false,
      code: 'negative_rate',
      reason: `value ${candidate.value} is lower than the previous ${previous.value}; the meter cannot run backwards (allowNegativeRate is off)`,
    };
  }

  const change = Math.abs(delta);
  if (rules.maxDelta !== undefined && change > rules.maxDelta + TOLERANCE) {
    return {
      accepted: false,
      code: 'max_delta',
      reason: `change of ${formatNumber(change)} exceeds the maximum change of ${rules.maxDelta} between readings`,
    };
  }

  if (rules.maxRatePerMinute !== undefined && change > TOLERANCE) {
    const minutes = (candidate.at.getTime() - previous.at.getTime()) / 60_000;
    if (minutes <= 0) {
      return {
        accepted: false,
        code: 'max_rate',
        reason: `value changed by ${formatNumber(change)} but was taken no later than the previous reading (${previous.at.toISOString()})`,
      };
    }
    const rate = change / minutes;
    if (rate > rules.maxRatePerMinute + TOLERANCE) {
      return {
        accepted: false,
        code: 'max_rate',
        reason: `rate of ${formatNumber(rate)} per minute exceeds the maximum of ${rules.maxRatePerMinute} per minute`,
      };
    }
  }
  return { accepted: true };
}

function formatNumber(value: number): string {
  return String(Number(value.toPrecision(6)));
}
