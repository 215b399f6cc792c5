import type { PlausibilityRules } from '@metervision/protocol';

export interface PreviousValue {
  value: number;
  at: Date;
}

export type PlausibilityOutcome = { accepted: true } | { accepted: false; code: 'negative_rate' | 'max_delta' | 'max_rate'; reason: string };

/**
 * Applies the configuration's plausibility rules to a new value, as the edge agent does before
 * publishing, so that `set_previous_value` and a display offset produce rejected readings.
 */
export function checkPlausibility(value: number, at: Date, previous: PreviousValue | null, rules: PlausibilityRules): PlausibilityOutcome {
  if (!previous) return { accepted: true };

  const delta = value - previous.value;
  if (delta < 0 && !rules.allowNegativeRate) {
    return { accepted: false, code: 'negative_rate', reason: `value ${value} is below the previous value ${previous.value}` };
  }
  if (rules.maxDelta !== undefined && Math.abs(delta) > rules.maxDelta) {
    return { accepted: false, code: 'max_delta', reason: `change ${delta} exceeds the maximum change ${rules.maxDelta}` };
  }

  const minutes = (at.getTime() - previous.at.getTime()) / 60_000;
  if (rules.maxRatePerMinute !== undefined && minutes > 0 && Math.abs(delta) / minutes > rules.maxRatePerMinute) {
    const rate = Math.abs(delta) / minutes;
    return { accepted: false, code: 'max_rate', reason: `rate ${rate.toFixed(6)} per minute exceeds the maximum ${rules.maxRatePerMinute}` };
  }
  return { accepted: true };
}
