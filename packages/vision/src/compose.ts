import type { DigitResult, WheelDrive } from '@metervision/protocol';
import type { MeterReadResult } from './types.ts';
import { composeText } from './reading-text.ts';
import { clampDial, resolveDial, resolveWheel, type Element, type Resolved } from './roll-over.ts';

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

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
