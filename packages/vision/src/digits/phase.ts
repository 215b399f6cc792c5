import type { GlyphBand } from './glyphs.ts';
import type { GlyphCut } from './shape.ts';

/** Digit height and pitch on the wheels of one meter, in window pixels. */
export interface DigitGeometry {
  digitHeight: number;
  /** Distance between the centres of two neighbouring digits on a wheel. */
  pitch: number;
}

// Without any wheel to measure, a digit fills about this share of its window...
const DEFAULT_HEIGHT_SHARE = 0.6;
// ...and at least this share.
const MIN_DIGIT_HEIGHT_SHARE = 0.4;
// ...and neighbouring digits are this many digit heights apart (typical of printed odometer wheels).
const DEFAULT_PITCH_RATIO = 1.2;
// A band at least this share of a digit high shows the whole digit.
export const WHOLE_SHARE = 0.9;

/**
 * Measures the digit height from the bands that touch neither window edge, and the pitch from
 * wheels that show two digits at once. Both are medians over the wheels of one image.
 */
export function estimateDigitGeometry(wheels: { bands: GlyphBand[]; height: number }[]): DigitGeometry {
  const heights: number[] = [];
  const gaps: number[] = [];
  for (const wheel of wheels) {
    for (const band of wheel.bands) {
      const height = band.bottom - band.top + 1;
      // Specks and slivers that survived the noise filter are no measure of a digit.
      if (!band.touchesTop && !band.touchesBottom && height >= MIN_DIGIT_HEIGHT_SHARE * wheel.height) heights.push(height);
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
 * Returns the window edge that cuts a band. The upper of two bands is the leaving digit, cut at the top; the
 * lower one is the entering digit, cut at the bottom. A lone short band is cut at the nearer edge.
 */
export function cutOf(band: GlyphBand, bands: GlyphBand[], windowHeight: number, geometry: DigitGeometry): GlyphCut {
  if ((band.bottom - band.top + 1) / geometry.digitHeight >= WHOLE_SHARE) return 'none';

  const index = bands.indexOf(band);
  if (bands.length > 1 && index === 0) return 'top';
  if (bands.length > 1) return 'bottom';
  return (band.top + band.bottom) / 2 < (windowHeight - 1) / 2 ? 'top' : 'bottom';
}

/**
 * Returns how far a band's digit has moved up from the window centre, in digits. A cut band is located
 * from its uncut edge and the digit height.
 */
export function phaseOf(band: GlyphBand, cut: GlyphCut, windowHeight: number, geometry: DigitGeometry): number {
  const half = geometry.digitHeight / 2;
  let centre = (band.top + band.bottom) / 2;
  if (cut === 'top') centre = band.bottom - half;
  if (cut === 'bottom') centre = band.top + half;
  return ((windowHeight - 1) / 2 - centre) / geometry.pitch;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
