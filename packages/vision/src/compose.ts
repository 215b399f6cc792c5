import type { DigitResult, WheelDrive } from '@metervision/protocol';
import type { MeterReadResult } from './types.ts';

/** One digit wheel as seen in the image. */
export interface WheelObservation {
  name: string;
  /** Digit of the most visible glyph, 0-9; null when the wheel could not be read. */
  digit: number | null;
  /** 0-1. */
  confidence: number;
  /**
   * How far the wheel has turned past `digit`, in digits: 0 centred, +0.5 half-way to the next
   * digit, negative while `digit` is still coming in from below. Default 0 (unknown).
   */
  phase?: number;
}

/** One pointer dial as seen in the image. */
export interface DialObservation {
  name: string;
  /** Needle position in [0, 10). */
  value: number;
  /** 0-1. */
  confidence: number;
  /** Value of one dial unit in the same unit as the wheels (before the decimal shift), e.g. 0.1. */
  factor: number;
}

export interface ComposeInput {
  /** Integer wheels, most significant first; the last one counts units. */
  digits: WheelObservation[];
  /** Wheels after the decimal point, most significant first. */
  decimalDigits?: WheelObservation[];
  /** Dials, most significant first. */
  pointers?: DialObservation[];
  /** Power of ten applied to the composed value. Default 0. */
  decimalShift?: number;
  /** Append the fractional position of the last dial as one more decimal. Default false. */
  extendedResolution?: boolean;
  /** Gearing of the least significant wheel to the dials; see the layout's `wheelDrive`. Default `auto`. */
  wheelDrive?: WheelDrive;
}

/**
 * The composed value and the elements after roll-over resolution: wheels carry the resolved digit,
 * dials their position made consistent with the next finer dial. `issues` explains why confidence was
 * lowered (unreadable wheels, wheels between digits, dials that disagree).
 */
export type ComposedReading = Pick<MeterReadResult, 'value' | 'text' | 'digits' | 'decimalDigits' | 'pointers' | 'confidence'> & { issues: string[] };

// A wheel may run this far (in digits) ahead of or behind the position its finer neighbour implies.
const WHEEL_SLACK = 0.15;
// Two roll-over candidates closer than this (in digits) are ambiguous...
const AMBIGUITY_MARGIN = 0.15;
// ...and the wheel's confidence is capped here.
const AMBIGUOUS_CONFIDENCE = 0.3;
// A dial or wheel farther than this (in digits) from where its finer neighbour puts it disagrees.
const DISAGREEMENT = 0.3;
// Below this phase the finest wheel's glyph has not reached the window centre yet.
const NOT_YET_CENTRED = -0.25;

interface Element {
  kind: 'wheel' | 'dial';
  name: string;
  /** Power of ten of one unit of this element, before the decimal shift. */
  place: number;
  /** Observed continuous position in digits; null when unreadable. */
  position: number | null;
  shown: number | null;
  confidence: number;
}

interface Resolved {
  digit: number | null;
  /** Continuous position handed to the next coarser element, [0, 10); null when unknown. */
  continuous: number | null;
  confidence: number;
  issue?: string;
}

/**
 * Composes a meter value from wheel and dial observations and resolves roll-over: a wheel caught
 * between two digits is decided by the next finer wheel or dial, so a value never jumps by a whole
 * unit at a transition. Each dial is made consistent with the next finer one (10:1 gearing). The
 * least significant wheel of a wet-dial meter turns with the x0.1 dial and shows the next digit
 * from about .5 on, and the x0.1 dial then shows it is still the lower one.
 *
 * @example
 * composeReading({
 *   digits: [0, 0, 6, 4, 1].map((digit, i) => ({ name: `d${i}`, digit, confidence: 0.9 })),
 *   pointers: [{ name: 'x0.1', value: 9.4, confidence: 0.9, factor: 0.1 }],
 * }).text; // '00640.9': the 1 on the last wheel is still rolling in
 */
export function composeReading(input: ComposeInput): ComposedReading {
  const decimalDigits = input.decimalDigits ?? [];
  const pointers = input.pointers ?? [];
  const elements = toElements(input.digits, decimalDigits, pointers);
  const issues: string[] = [];

  // From the finest element upwards, each one is resolved with the continuous position below it.
  const resolved = new Array<Resolved>(elements.length);
  const byPlace = new Map<number, number>();
  elements.forEach((element, index) => byPlace.set(element.place, index));
  const order = elements.map((_, index) => index).sort((a, b) => elements[a]!.place - elements[b]!.place);
  for (const index of order) {
    const element = elements[index]!;
    const finerIndex = byPlace.get(element.place - 1);
    const finer = finerIndex === undefined ? null : resolved[finerIndex]!.continuous;
    const finerKind = finerIndex === undefined ? null : elements[finerIndex]!.kind;
    const result = element.kind === 'dial' ? resolveDial(element, finer) : resolveWheel(element, finer, finerKind, input.wheelDrive ?? 'auto');
    resolved[index] = result;
    if (result.issue) issues.push(result.issue);
  }

  const wheelCount = input.digits.length;
  const toDigitResult = (index: number): DigitResult => ({ name: elements[index]!.name, value: resolved[index]!.digit, confidence: round3(resolved[index]!.confidence) });
  const digitResults = input.digits.map((_, index) => toDigitResult(index));
  const decimalResults = decimalDigits.map((_, index) => toDigitResult(wheelCount + index));
  const pointerResults = pointers.map((_, index) => {
    const at = wheelCount + decimalDigits.length + index;
    return { name: elements[at]!.name, value: clampDial(resolved[at]!.continuous ?? 0), confidence: round3(resolved[at]!.confidence) };
  });

  const confidence = resolved.length === 0 ? 0 : Math.min(...resolved.map((item) => item.confidence));
  const text = composeText(elements, resolved, input.extendedResolution ?? false, input.decimalShift ?? 0, issues);
  return {
    value: text === null ? null : Number(text),
    text,
    digits: digitResults,
    decimalDigits: decimalResults,
    pointers: pointerResults,
    confidence: text === null ? 0 : round3(confidence),
    issues,
  };
}

function toElements(digits: WheelObservation[], decimals: WheelObservation[], pointers: DialObservation[]): Element[] {
  const wheel = (observation: WheelObservation, place: number): Element => ({
    kind: 'wheel',
    name: observation.name,
    place,
    position: observation.digit === null ? null : observation.digit + (observation.phase ?? 0),
    shown: observation.digit,
    confidence: observation.confidence,
  });
  return [
    ...digits.map((observation, index) => wheel(observation, digits.length - 1 - index)),
    ...decimals.map((observation, index) => wheel(observation, -1 - index)),
    ...pointers.map((dial) => ({
      kind: 'dial' as const,
      name: dial.name,
      place: Math.round(Math.log10(dial.factor)),
      position: dial.value,
      shown: Math.floor(dial.value),
      confidence: dial.confidence,
    })),
  ];
}

function resolveDial(element: Element, finer: number | null): Resolved {
  const position = element.position!;
  if (finer === null) return { digit: Math.floor(clampDial(position)), continuous: clampDial(position), confidence: element.confidence };

  const digit = mod10(Math.round(position - finer / 10));
  const continuous = digit + finer / 10;
  const disagreement = circularDistance(position, continuous);
  const consistency = consistencyFactor(disagreement);
  return {
    digit,
    continuous,
    confidence: element.confidence * consistency,
    issue: consistency < 1 ? `dial ${element.name} at ${position.toFixed(2)} disagrees with the finer dial (expected about ${continuous.toFixed(2)})` : undefined,
  };
}

// Position of a wheel past its integer digit while its finer neighbour is at `finer` (0-10).
const DRIVE_OFFSETS: Record<Exclude<WheelDrive, 'auto'>, (finer: number) => number> = {
  continuous: (finer) => finer / 10,
  intermittent: (finer) => Math.max(0, finer - 9),
};

function resolveWheel(element: Element, finer: number | null, finerKind: Element['kind'] | null, drive: WheelDrive): Resolved {
  if (element.position === null || element.shown === null) {
    return { digit: null, continuous: null, confidence: 0, issue: `wheel ${element.name} could not be read` };
  }
  if (finer === null && finerKind !== null) {
    return { digit: element.shown, continuous: null, confidence: 0, issue: `wheel ${element.name} cannot be checked for roll-over: the finer element was not read` };
  }
  if (finer === null) {
    const phase = element.position - element.shown;
    const digit = phase < NOT_YET_CENTRED ? mod10(element.shown - 1) : element.shown;
    return { digit, continuous: mod10(element.position), confidence: element.confidence };
  }

  // Every candidate digit is scored under each gearing that applies, and the best wins. A runner-up
  // digit almost as good means the wheel is between digits and the finer element does not decide.
  const models = drivesFor(finerKind, drive);
  const candidates = [-1, 0, 1].map((shift) => {
    const base = element.shown! + shift;
    const scored = models.map((model) => {
      const offset = DRIVE_OFFSETS[model](finer);
      return { offset, distance: Math.max(0, circularDistance(element.position!, base + offset) - WHEEL_SLACK) };
    });
    const best = scored.sort((a, b) => a.distance - b.distance)[0]!;
    return { digit: mod10(base), offset: best.offset, distance: best.distance };
  });
  candidates.sort((a, b) => a.distance - b.distance);
  const [best, second] = candidates as [(typeof candidates)[0], (typeof candidates)[0]];

  let confidence = element.confidence;
  let issue: string | undefined;
  if (second.distance - best.distance < AMBIGUITY_MARGIN) {
    confidence = Math.min(confidence, AMBIGUOUS_CONFIDENCE);
    issue = `wheel ${element.name} is between ${best.digit} and ${second.digit} and the finer element does not decide it`;
  } else if (best.distance > DISAGREEMENT - WHEEL_SLACK) {
    confidence *= consistencyFactor(best.distance + WHEEL_SLACK);
    issue = `wheel ${element.name} shows ${element.shown} where the finer element expects another position`;
  }
  return { digit: best.digit, continuous: best.digit + best.offset, confidence, issue };
}

// Wheels carry to the next wheel intermittently, as in every roller counter. Only the wheel driven
// by the dials' gear train may turn continuously.
function drivesFor(finerKind: Element['kind'] | null, drive: WheelDrive): readonly Exclude<WheelDrive, 'auto'>[] {
  if (finerKind === 'wheel' || drive === 'intermittent') return ['intermittent'];
  if (drive === 'continuous') return ['continuous'];
  return ['continuous', 'intermittent'];
}

function composeText(elements: Element[], resolved: Resolved[], extended: boolean, shift: number, issues: string[]): string | null {
  if (elements.length === 0 || resolved.some((item) => item.digit === null)) return null;

  const places = elements.map((element) => element.place);
  const highest = Math.max(...places);
  const lowest = Math.min(...places);
  const byPlace = new Map(elements.map((element, index) => [element.place, resolved[index]!.digit!]));
  if (byPlace.size !== elements.length || byPlace.size !== highest - lowest + 1) {
    issues.push('wheels and dials do not cover consecutive decimal places: check the dial factors in the layout');
    return null;
  }

  let digits = '';
  for (let place = highest; place >= lowest; place -= 1) digits += String(byPlace.get(place));
  let lowestPlace = lowest;
  if (extended) {
    const finest = resolved[elements.findIndex((element) => element.place === lowest)]!;
    digits += String(Math.floor(((finest.continuous ?? 0) % 1) * 10));
    lowestPlace -= 1;
  }
  return placePoint(digits, highest, lowestPlace, shift);
}

// Writes `digits` (places `highest` .. `lowest`) with the decimal point moved by `shift`.
function placePoint(digits: string, highest: number, lowest: number, shift: number): string {
  const top = highest + shift;
  const bottom = lowest + shift;
  const padded = (bottom > 0 ? digits + '0'.repeat(bottom) : digits);
  const integerCount = top + 1;
  if (bottom >= 0) return padded;
  if (integerCount <= 0) return `0.${'0'.repeat(-integerCount)}${padded}`;
  return `${padded.slice(0, integerCount)}.${padded.slice(integerCount)}`;
}

function distanceToInterval(value: number, low: number, high: number): number {
  // Positions wrap every 10 digits; compare against the nearest copy of the interval.
  let best = Infinity;
  for (const wrap of [-10, 0, 10]) {
    const shifted = value + wrap;
    best = Math.min(best, Math.max(0, low - shifted, shifted - high));
  }
  return best;
}

function consistencyFactor(distance: number): number {
  return Math.max(0, Math.min(1, (0.5 - distance) / (0.5 - DISAGREEMENT)));
}

function circularDistance(a: number, b: number): number {
  const difference = Math.abs(a - b) % 10;
  return Math.min(difference, 10 - difference);
}

function mod10(value: number): number {
  return ((value % 10) + 10) % 10;
}

function clampDial(value: number): number {
  const wrapped = mod10(value);
  return wrapped >= 10 ? 0 : wrapped;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
