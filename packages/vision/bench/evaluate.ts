import { readFile } from 'node:fs/promises';
import { renderMeter, stressCases } from '@metervision/firmware-sim';
import type { MeterLayout } from '@metervision/protocol';
import { parseLayout } from '../src/layout.ts';
import { checkPlausibility } from '../src/plausibility.ts';
import type { MeterReader } from '../src/reader.ts';
import type { MeterReadResult } from '../src/types.ts';
import { loadAiedgeSets, loadNohnCases, type NohnCase } from './corpus.ts';

/** One image read against its truth. */
export interface Outcome {
  id: string;
  /** The true or labelled value as text. */
  expected: string;
  text: string | null;
  value: number | null;
  confidence: number;
  /** Confidence at or above the layout's minimum and a value: the reading would be published. */
  accepted: boolean;
  integerExact: boolean;
  within0005: boolean;
  wrongButConfident: boolean;
  durationMs: number;
  error?: string;
  reason?: string;
}

export interface SetSummary {
  photos: number;
  integerExact: number;
  within0005: number;
  wrongButConfident: number;
  medianMs: number;
  p95Ms: number;
}

/** Reads one image and judges it: right within `wrongAbove` of `expected`, or wrong. */
export async function judge(reader: MeterReader, id: string, image: Buffer, layout: MeterLayout, expected: string, wrongAbove: number): Promise<Outcome> {
  const truth = Number(expected);
  let result: MeterReadResult;
  try {
    result = await reader.read(image, layout);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { id, expected, text: null, value: null, confidence: 0, accepted: false, integerExact: false, within0005: false, wrongButConfident: false, durationMs: 0, error: message };
  }

  const accepted = result.value !== null && result.confidence >= layout.minConfidence;
  const delta = result.value === null ? Infinity : Math.abs(result.value - truth);
  const integerExact = accepted && Math.floor(result.value!) === Math.floor(truth);
  return {
    id,
    expected,
    text: result.text,
    value: result.value,
    confidence: result.confidence,
    accepted,
    integerExact,
    within0005: accepted && delta <= 0.005 + 1e-9,
    wrongButConfident: accepted && (!integerExact || delta > wrongAbove + 1e-9),
    durationMs: result.durationMs,
    reason: result.lowConfidenceReason,
  };
}

/** Counts and timing of a set of outcomes. */
export function summarise(outcomes: Outcome[]): SetSummary {
  const times = outcomes.filter((outcome) => outcome.error === undefined).map((outcome) => outcome.durationMs).sort((a, b) => a - b);
  const quantile = (share: number) => (times.length === 0 ? 0 : times[Math.min(times.length - 1, Math.ceil(share * times.length) - 1)]!);
  return {
    photos: outcomes.length,
    integerExact: outcomes.filter((outcome) => outcome.integerExact).length,
    within0005: outcomes.filter((outcome) => outcome.within0005).length,
    wrongButConfident: outcomes.filter((outcome) => outcome.wrongButConfident).length,
    medianMs: quantile(0.5),
    p95Ms: quantile(0.95),
  };
}

/** Reads the two aiedge sets, each photo once. */
export async function evaluateAiedge(reader: MeterReader): Promise<Record<string, Outcome[]>> {
  const results: Record<string, Outcome[]> = {};
  for (const set of await loadAiedgeSets()) {
    const outcomes: Outcome[] = [];
    for (const photo of set.photos) outcomes.push(await judge(reader, photo.file, await readFile(photo.path), set.layout, photo.label, photo.wrongAbove));
    results[set.name] = outcomes;
  }
  return results;
}

/** An upstream nohn case replayed: the reading, then plausibility against the case's previous value. */
export interface NohnOutcome extends Outcome {
  case: NohnCase;
  /** The value the reader ends with: the reading when accepted by plausibility, else the previous value. */
  finalValue: number | null;
  rejected: boolean;
  /** The final value and the rejection match the upstream expectation. */
  passed: boolean;
}

export async function evaluateNohn(reader: MeterReader): Promise<NohnOutcome[]> {
  const outcomes: NohnOutcome[] = [];
  const images = new Map<string, Buffer>();
  for (const item of await loadNohnCases()) {
    if (!images.has(item.path)) images.set(item.path, await readFile(item.path));
    const outcome = await judge(reader, item.id, images.get(item.path)!, item.layout, String(item.meterShows), 0.005);
    const at = new Date();
    const verdict = outcome.accepted ? checkPlausibility({ value: outcome.value!, at }, { value: item.lastValue, at: new Date(at.getTime() - 60_000) }, item.rules) : null;
    const rejected = verdict !== null && !verdict.accepted;
    let finalValue: number | null = null;
    if (verdict !== null) finalValue = rejected ? item.lastValue : outcome.value;
    const passed = finalValue !== null && Math.abs(finalValue - item.expectedValue) < 1e-9 && rejected === item.rejected;
    outcomes.push({ ...outcome, case: item, finalValue, rejected, passed });
  }
  return outcomes;
}

/** One stress image: its condition and outcome. */
export interface StressOutcome extends Outcome {
  condition: string;
}

/**
 * Renders the firmware-sim stress set (`perCondition` values per condition plus the rolling cases)
 * and reads it with the layout `renderMeter` returns, which declares the continuous last wheel.
 */
export async function evaluateStress(reader: MeterReader, perCondition: number, seed: number): Promise<StressOutcome[]> {
  const outcomes: StressOutcome[] = [];
  for (const item of stressCases(perCondition, seed)) {
    const rendered = await renderMeter(item.options);
    const layout = await parseLayout(rendered.layout);
    const decimals = rendered.text.includes('.') ? rendered.text.length - rendered.text.indexOf('.') - 1 : 0;
    // One unit of the finest wheel or dial is within reading resolution; more is wrong.
    const outcome = await judge(reader, item.id, rendered.image, layout, rendered.text, 1.5 * 10 ** -decimals);
    outcomes.push({ ...outcome, condition: item.condition });
  }
  return outcomes;
}

/** One value of the transition sweep. */
export interface SweepValue {
  id: string;
  /** `half`: the last wheel between two digits; `carry`: wheels rolling from 9 to 0 with it. */
  kind: 'half' | 'carry';
  value: number;
}

// Half a unit of the finest (x0.0001) dial, so no needle sits on a tick.
const OFF_TICK = 0.00005;
// Integer parts that end in one to four 9s, so one to four wheels roll through a carry.
const CARRY_BASES = [4709, 1299, 2999, 9999, 37019, 60999];

/**
 * Lists `count` meter values for a 5-wheel, 4-dial meter, all with the last wheel between x.40 and
 * x.60, where two digits show half each. In the first half the integer part changes at every
 * step, so every neighbouring pair of digits appears on the last wheel. In the second half the
 * integer part ends in 9, 99, 999 or 9999, so up to five wheels roll through a carry together.
 */
export function transitionSweepValues(count: number): SweepValue[] {
  const halfCount = Math.ceil(count / 2);
  const carryCount = count - halfCount;
  const step = (index: number, total: number) => (total <= 1 ? 0.5 : index / (total - 1));

  const half = Array.from({ length: halfCount }, (_, index) => {
    const integer = (index * 1237 + 314) % 100_000;
    const value = integer + 0.4 + 0.2 * step(index, halfCount) + OFF_TICK;
    return { id: `half-${String(index + 1).padStart(3, '0')}`, kind: 'half' as const, value };
  });
  const carry = Array.from({ length: carryCount }, (_, index) => {
    const base = CARRY_BASES[index % CARRY_BASES.length]!;
    const value = base + 0.4 + 0.2 * step(index, carryCount) + OFF_TICK;
    return { id: `carry-${String(index + 1).padStart(3, '0')}`, kind: 'carry' as const, value };
  });
  return [...half, ...carry];
}

/** Renders the transition sweep on clean images (default knobs, one seed per image) and reads it. */
export async function evaluateSweep(reader: MeterReader, count: number): Promise<StressOutcome[]> {
  const outcomes: StressOutcome[] = [];
  for (const [index, item] of transitionSweepValues(count).entries()) {
    const rendered = await renderMeter({ value: item.value, seed: index + 1 });
    const layout = await parseLayout(rendered.layout);
    const outcome = await judge(reader, item.id, rendered.image, layout, rendered.text, 1.5e-4);
    outcomes.push({ ...outcome, condition: item.kind === 'half' ? 'last wheel x.4 to x.6' : 'carry, x9.4 to x9.6' });
  }
  return outcomes;
}
