import type { WheelReading } from './read-wheels.ts';

/**
 * Reads a wheel caught between two digits. Its window shows the lower part of a digit d, cut by
 * the top edge, above the upper part of d + 1, cut by the bottom edge. Each part alone is a poor
 * witness: tesseract was trained on whole characters, and the top of a 2 looks like the top of a 3.
 * Together they must name two neighbouring digits, so the wheel is read by scoring every pair
 * (d, d + 1) with both parts at once. The finer wheel or dial later decides whether d or d + 1 is
 * the value (roll-over resolution in `composeReading`).
 */

/** The visible part of one digit on a rolling wheel, with what is known about its digit. */
export interface DigitPart {
  /** `top`: the lower part of the leaving digit shows; `bottom`: the upper part of the entering one. */
  cut: 'top' | 'bottom';
  /** Share of a whole digit's height that shows, 0-1. */
  visible: number;
  /** How far the part's digit has moved up from the window centre, in digits. */
  phase: number;
  /** Template correlation per digit 0-9, the part compared with digits cut the same way. */
  scores: number[];
  /** Digits whose shape can produce the part (holes, width). */
  allowed: string;
  /** Tesseract's digit when both strip sizes read the same, else null. */
  ocrDigit: number | null;
}

/** Count of whole digits in the same image that tesseract read with confidence, and of those its templates agreed with. */
export interface TemplateFit {
  /** Whole digits read by tesseract with confidence. */
  checked: number;
  /** Of those, digits whose best template is the same digit. */
  agreed: number;
}

// A part contributes to the pair score by its visible share: nothing below MIN_WEIGHT_SHARE (a
// sliver matches any template), fully from FULL_WEIGHT_SHARE on.
const MIN_WEIGHT_SHARE = 0.1;
const FULL_WEIGHT_SHARE = 0.4;
// The more visible part of a wheel between two digits shows about half a digit or more when the
// pitch is close to the digit height. Parts below this share are window edges, glare or dirt.
const MIN_MAIN_SHARE = 0.4;
// At least one part this visible must have its digit of the pair as its own best template.
const NAMING_SHARE = 0.4;
// A part this visible whose best template leads the pair's digit by CONTRADICTION_MARGIN
// contradicts the pair, even when the other part outweighs it.
const CONTRADICTION_SHARE = 0.3;
const CONTRADICTION_MARGIN = 0.08;
// Holes exclude digits only from this visible share on (the bottom of a 6 has a loop, of a 5 not).
const HOLES_SHARE = 0.65;
// Tesseract's strip reading of a part counts from this visible share on.
const OCR_SHARE = 0.5;
// Both parts of one wheel measure its position; farther apart than this (in digits), one of them
// is no digit of this wheel.
const MAX_PHASE_SPREAD = 0.25;

// Confidence grows with the pair margin, the lead of the best pair's summed scores over the next
// pair: ACCEPTED_CONFIDENCE at ACCEPTED_MARGIN, MARGIN_SLOPE more per unit above, at most
// MAX_CONFIDENCE. The limits come from measurements with the templates of this package. On
// firmware-sim wheels, whose font the templates do not contain, every pair decided with a margin
// above 0.05 was right (732 wheels between digits in 16 imaging conditions). No whole digit's best
// template was wrong in about 800 synthetic and 112 real wheels. The real rolling wheels of the
// photo corpus showed margins of 0.34 to 0.58.
const ACCEPTED_MARGIN = 0.06;
const ACCEPTED_CONFIDENCE = 0.6;
const MARGIN_SLOPE = 1.2;
const MAX_CONFIDENCE = 0.9;
// Each part that tesseract reads as its digit of the pair adds this...
const OCR_BONUS = 0.04;
// ...and a part named by tesseract and its best template reaches at least this.
const NAMED_TWICE_CONFIDENCE = 0.65;
const WEAK_CONFIDENCE = 0.45;
const AMBIGUOUS_CONFIDENCE = 0.3;
// Pair margins below this leave the wheel undecided.
const MIN_PAIR_MARGIN = 0.05;
// Without proof from this image's whole digits that the templates fit its font, a template pair
// stays below acceptance unless tesseract confirms a part.
const UNPROVEN_FIT_CONFIDENCE = 0.55;

/**
 * Reads a rolling wheel from the lower part of its leaving digit (`upper`, cut by the window's top
 * edge) and the upper part of its entering digit (`lower`, cut by the bottom edge). Either part may
 * be missing. Returns the digit of the more visible part with its phase. The confidence reaches the
 * usual acceptance threshold of 0.6 only when the best pair leads the next by a clear margin and a
 * large part names its digit of the pair by itself. No part may contradict the pair, and the
 * templates must fit the font of this meter unless tesseract confirms a part.
 */
export function readRollingWheel(name: string, upper: DigitPart | null, lower: DigitPart | null, fit: TemplateFit): WheelReading {
  const parts = [upper, lower].filter((part): part is DigitPart => part !== null && weight(part) > 0);
  const main = parts.reduce<DigitPart | null>((a, b) => (a === null || b.visible > a.visible ? b : a), null);
  if (!main || main.visible < MIN_MAIN_SHARE) return { name, digit: null, confidence: 0, phase: 0, note: `no digit found in wheel ${name}` };

  const [best, second] = rankPairs(parts) as [PairScore, PairScore];
  const position = positionOf(parts, best.digit);
  const mainDigit = main.cut === 'top' ? best.digit : best.digit + 1;
  const reading = { name, digit: mod10(mainDigit), phase: position.value - mainDigit };
  const pair = `${best.digit} and ${mod10(best.digit + 1)}`;

  const doubt = doubtAbout(parts, best, second, position.spread);
  if (doubt) return { ...reading, confidence: doubt.confidence, note: `wheel ${name} is between ${pair}, but ${doubt.reason}` };

  const { confidence, unproven } = pairConfidence(parts, best.digit, best.score - second.score, fit);
  if (confidence >= ACCEPTED_CONFIDENCE) return { ...reading, confidence };
  const reason = unproven ? 'no whole digit in this image confirmed the digit templates' : 'its parts match that pair only narrowly';
  return { ...reading, confidence, note: `wheel ${name} is between ${pair}, but ${reason}` };
}

// Returns why the best pair cannot be trusted, with the confidence left, or null.
function doubtAbout(parts: DigitPart[], best: PairScore, second: PairScore, spread: number): { confidence: number; reason: string } | null {
  const contradiction = parts.find((part) => contradicts(part, digitOf(part, best.digit)));
  if (contradiction) return { confidence: WEAK_CONFIDENCE, reason: `part of it looks like ${topDigit(contradiction.scores)}` };

  const namedTwice = parts.some((part) => isNamedTwice(part, digitOf(part, best.digit)));
  if (best.score - second.score < MIN_PAIR_MARGIN && !namedTwice) {
    return { confidence: AMBIGUOUS_CONFIDENCE, reason: `its parts fit ${second.digit} and ${mod10(second.digit + 1)} almost as well` };
  }
  if (spread > MAX_PHASE_SPREAD) return { confidence: WEAK_CONFIDENCE, reason: 'its two parts are not one digit pitch apart' };
  if (!parts.some((part) => part.visible >= NAMING_SHARE && topDigit(part.scores) === digitOf(part, best.digit))) {
    return { confidence: WEAK_CONFIDENCE, reason: 'neither part alone shows its digit' };
  }
  return null;
}

interface PairScore {
  /** The leaving digit d of the pair (d, d + 1). */
  digit: number;
  score: number;
}

// Pairs (d, d + 1) by the weighted template scores of the parts, best first.
function rankPairs(parts: DigitPart[]): PairScore[] {
  const pairs = Array.from({ length: 10 }, (_, digit) => ({
    digit,
    score: parts.reduce((sum, part) => sum + weight(part) * part.scores[digitOf(part, digit)]!, 0),
  }));
  return pairs.sort((a, b) => b.score - a.score);
}

// Confidence of a pair that passed every check; `unproven` when the missing template fit capped it.
function pairConfidence(parts: DigitPart[], digit: number, margin: number, fit: TemplateFit): { confidence: number; unproven: boolean } {
  const confirmed = parts.filter((part) => part.visible >= OCR_SHARE && part.ocrDigit === digitOf(part, digit)).length;
  const fromMargin = ACCEPTED_CONFIDENCE + MARGIN_SLOPE * (margin - ACCEPTED_MARGIN) + OCR_BONUS * confirmed;
  let confidence = Math.max(WEAK_CONFIDENCE, Math.min(MAX_CONFIDENCE, fromMargin));
  if (parts.some((part) => isNamedTwice(part, digitOf(part, digit)))) confidence = Math.max(confidence, NAMED_TWICE_CONFIDENCE);

  const fitProven = fit.checked > 0 && fit.agreed === fit.checked;
  if (fitProven || confirmed > 0 || confidence <= UNPROVEN_FIT_CONFIDENCE) return { confidence, unproven: false };
  return { confidence: UNPROVEN_FIT_CONFIDENCE, unproven: true };
}

// Tesseract's strip reading and the best template both name the part's digit: two independent
// witnesses, which decide even where the templates alone barely separate two digits (the lower
// part of a 4 and of a 1 share the stem).
function isNamedTwice(part: DigitPart, digit: number): boolean {
  return part.visible >= OCR_SHARE && part.ocrDigit === digit && topDigit(part.scores) === digit;
}

// The wheel position from each part (d + phase of the upper, d + 1 + phase of the lower), averaged
// by visible share, and how far the two disagree.
function positionOf(parts: DigitPart[], digit: number): { value: number; spread: number } {
  const offsets = parts.map((part) => ({ offset: part.cut === 'top' ? part.phase : 1 + part.phase, weight: part.visible }));
  const total = offsets.reduce((sum, item) => sum + item.weight, 0);
  const value = digit + offsets.reduce((sum, item) => sum + item.weight * item.offset, 0) / total;
  const spread = offsets.length < 2 ? 0 : Math.abs(offsets[0]!.offset - offsets[1]!.offset);
  return { value, spread };
}

function contradicts(part: DigitPart, digit: number): boolean {
  if (part.visible >= HOLES_SHARE && !part.allowed.includes(String(digit))) return true;
  if (part.visible < CONTRADICTION_SHARE) return false;
  return part.scores[topDigit(part.scores)]! - part.scores[digit]! >= CONTRADICTION_MARGIN;
}

function weight(part: DigitPart): number {
  return Math.max(0, Math.min(1, (part.visible - MIN_WEIGHT_SHARE) / (FULL_WEIGHT_SHARE - MIN_WEIGHT_SHARE)));
}

// The digit a part shows when the wheel is between `digit` and the next one.
function digitOf(part: DigitPart, digit: number): number {
  return part.cut === 'top' ? digit : mod10(digit + 1);
}

function topDigit(scores: number[]): number {
  return scores.reduce((best, score, index) => (score > scores[best]! ? index : best), 0);
}

function mod10(value: number): number {
  return ((value % 10) + 10) % 10;
}
