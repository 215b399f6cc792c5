import type { DigitResult, ImageQuality, PointerResult } from '@metervision/protocol';

/** Where one alignment mark was found. */
export interface MarkMatch {
  name: string;
  /** Top-left corner where the mark was found, in the rotated image. */
  x: number;
  y: number;
  /** Normalised cross-correlation with the mark image, 0-1. */
  similarity: number;
}

/** Transform that moved the rotated image onto the layout frame. */
export interface AlignmentResult {
  marks: MarkMatch[];
  /** Shift in pixels. */
  dx: number;
  dy: number;
  /** Extra rotation in degrees, positive clockwise, applied after `rotateDegrees`. */
  angleDegrees: number;
}

/** Everything read from one image with one layout. */
export interface MeterReadResult {
  /** Composed value with the decimal shift applied; null when a digit could not be read. */
  value: number | null;
  /** Value as shown, leading zeros kept (for example `00530.0708`); null when `value` is. */
  text: string | null;
  digits: DigitResult[];
  decimalDigits: DigitResult[];
  pointers: PointerResult[];
  /** Overall confidence, 0-1: the weakest link among digits, pointers and alignment. */
  confidence: number;
  /** Why the confidence is below the layout's `minConfidence`; absent when it is not. */
  lowConfidenceReason?: string;
  quality: ImageQuality;
  alignment: AlignmentResult | null;
  /** Wall-clock milliseconds spent in `read`. */
  durationMs: number;
}
