import type { WheelDrive } from '@metervision/protocol';

/**
 * Roll-over resolution for one wheel or dial at a time, from the finest element upwards: each is
 * decided with the continuous position of the element below it.
 */

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

/** A wheel or dial with its place value, as composition sees it. */
export interface Element {
  kind: 'wheel' | 'dial';
  name: string;
  /** Power of ten of one unit of this element, before the decimal shift. */
  place: number;
  /** Observed continuous position in digits; null when unreadable. */
  position: number | null;
  shown: number | null;
  confidence: number;
}

/** An element after roll-over resolution. */
export interface Resolved {
  digit: number | null;
  /** Continuous position handed to the next coarser element, [0, 10); null when unknown. */
  continuous: number | null;
  confidence: number;
  issue?: string;
}

export function resolveDial(element: Element, finer: number | null): Resolved {
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

export function resolveWheel(element: Element, finer: number | null, finerKind: Element['kind'] | null, drive: WheelDrive): Resolved {
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

function consistencyFactor(distance: number): number {
  return Math.max(0, Math.min(1, (0.5 - distance) / (0.5 - DISAGREEMENT)));
}

function circularDistance(a: number, b: number): number {
  const difference = Math.abs(a - b) % 10;
  return Math.min(difference, 10 - difference);
}

export function mod10(value: number): number {
  return ((value % 10) + 10) % 10;
}

export function clampDial(value: number): number {
  const wrapped = mod10(value);
  return wrapped >= 10 ? 0 : wrapped;
}

