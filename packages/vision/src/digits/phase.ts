import type { GlyphBand } from './glyphs.ts';

/** Digit height and pitch on the wheels of one meter, in window pixels. */
export interface DigitGeometry {
  digitHeight: number;
  /** Distance between the centres of two neighbouring digits on a wheel. */
  pitch: number;
}

// Without any wheel to measure, a digit fills about this share of its window...
const DEFAULT_HEIGHT_SHARE = 0.6;
// ...and neighbouring digits are this many digit heights apart (typical of printed odometer wheels).
const DEFAULT_PITCH_RATIO = 1.45;

/**
 * Measures the digit height from the bands that touch neither window edge, and the pitch from
 * wheels that show two digits at once; medians over the wheels of one image.
 */
export function estimateDigitGeometry(wheels: { bands: GlyphBand[]; height: number }[]): DigitGeometry {
  const heights: number[] = [];
  const gaps: number[] = [];
  for (const wheel of wheels) {
    for (const band of wheel.bands) {
      if (!band.touchesTop && !band.touchesBottom) heights.push(band.bottom - band.top + 1);
    }
    for (let i = 1; i < wheel.bands.length; i += 1) {
      gaps.push(wheel.bands[i]!.top - wheel.bands[i - 1]!.bottom - 1);
    }
  }

  const windowHeight = median(wheels.map((wheel) => wheel.height)) ?? 1;
  const digitHeight = median(heights) ?? DEFAULT_HEIGHT_SHARE * windowHeight;
  const gap = median(gaps);
  const pitch = gap !== undefined && gap > 0 ? digitHeight + gap : DEFAULT_PITCH_RATIO * digitHeight;
  return { digitHeight, pitch };
}

/**
 * How far a band's digit has moved up from the window centre, in digits. A band cut by an edge
 * is located from its uncut edge and the digit height.
 */
export function phaseOf(band: GlyphBand, windowHeight: number, geometry: DigitGeometry): number {
  const half = geometry.digitHeight / 2;
  let centre = (band.top + band.bottom) / 2;
  if (band.touchesTop && !band.touchesBottom) centre = band.bottom - half;
  if (band.touchesBottom && !band.touchesTop) centre = band.top + half;
  return ((windowHeight - 1) / 2 - centre) / geometry.pitch;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
