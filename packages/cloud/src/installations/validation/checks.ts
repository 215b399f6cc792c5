import type { Check, CheckStatus, CheckThreshold, StageStatus } from '../types.ts';

/** Builds a check; `advice` is dropped when the check passed. */
export function makeCheck(
  id: string,
  status: CheckStatus,
  fields: { measured: Check['measured']; threshold?: CheckThreshold | null; unit?: string | null; message: string; advice?: string | null },
): Check {
  return {
    id,
    status,
    measured: fields.measured,
    threshold: fields.threshold ?? null,
    unit: fields.unit ?? null,
    message: fields.message,
    advice: status === 'passed' ? null : (fields.advice ?? null),
  };
}

/** A stage fails when one of its checks fails, and warns when one warns. */
export function stageStatusOf(checks: Check[]): StageStatus {
  if (checks.some((check) => check.status === 'failed')) return 'failed';
  if (checks.some((check) => check.status === 'warning')) return 'warning';
  return 'passed';
}

/**
 * Grades `value` against a lower (`min`) or upper (`max`) limit: beyond it fails, within
 * `margin` (a fraction of the limit) on the passing side warns.
 */
export function grade(value: number, limit: { min?: number; max?: number }, margin: number): CheckStatus {
  if (limit.min !== undefined && value < limit.min) return 'failed';
  if (limit.max !== undefined && value > limit.max) return 'failed';
  if (limit.min !== undefined && value < limit.min + Math.abs(limit.min) * margin) return 'warning';
  if (limit.max !== undefined && value > limit.max - Math.abs(limit.max) * margin) return 'warning';
  return 'passed';
}

/** Rounds for messages: at most `digits` decimals, no trailing zeros. */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
