/** A glyph as ink (1) on background (0), cropped to its box. */
export interface GlyphBitmap {
  ink: Uint8Array;
  width: number;
  height: number;
}

/** Structural facts about a glyph that OCR results must agree with. */
export interface GlyphShape {
  /** Enclosed background regions: 0 has one, 8 two, 1/2/3/5/7 none. */
  holes: number;
  /** Vertical centre of the largest hole as a share of the glyph height (0 top, 1 bottom); null without holes. */
  holeCentre: number | null;
  /** Width divided by height. */
  aspect: number;
  /** Typical stroke width in pixels (median horizontal ink run). */
  strokeWidth: number;
  /** True for two holes, one in each half of the glyph, as in an 8. */
  holesStacked: boolean;
  /** Height of the largest hole as a share of the glyph height; 0 without holes. */
  holeHeight: number;
  /** How far the ink's centre moves right from the middle rows to the bottom rows, as a share of the height. */
  slant: number;
  /** Width of the ink in the lower half as a share of the glyph height: a 1's stem is narrow. */
  lowerWidth: number;
}

// Holes smaller than this share of the glyph box are JPEG speckle, not counters of a digit.
const MIN_HOLE_SHARE = 0.012;

/** Measures holes, aspect ratio and stroke width of a glyph. */
export function measureShape(glyph: GlyphBitmap): GlyphShape {
  const holes = findHoles(glyph).sort((a, b) => b.area - a.area);
  const largest = holes[0];
  const centres = holes.slice(0, 2).map((hole) => hole.centreY / glyph.height);
  return {
    holes: holes.length,
    holeCentre: largest ? largest.centreY / glyph.height : null,
    aspect: glyph.width / glyph.height,
    strokeWidth: medianRun(glyph),
    holesStacked: centres.length === 2 && Math.min(...centres) < 0.5 && Math.max(...centres) > 0.5,
    holeHeight: largest ? largest.height / glyph.height : 0,
    slant: slantOf(glyph),
    lowerWidth: inkWidth(glyph, Math.floor(glyph.height / 2), glyph.height) / glyph.height,
  };
}

/** Edge of the wheel window that cuts a glyph: a rolling wheel shows parts of two digits. */
export type GlyphCut = 'none' | 'top' | 'bottom';

const ALL_DIGITS = '0123456789';
// Below this visible share a partial glyph's holes are too little evidence to exclude any digit.
export const MIN_SHARE_FOR_HOLES = 0.65;

/**
 * Digits whose printed shape can produce `shape`: the OCR result must be one of them. Whole
 * glyphs are judged by their holes (8 has two; 0, 4, 6 and 9 one: a 0's is tall and central, a
 * 6's low, a 9's and 4's high) and their width (only a 1 is narrow). A glyph cut at the bottom
 * shows its top part, where 8 and 9 have a closed loop. A glyph cut at the top shows its bottom
 * part, where 6 and 8 have one. Either part of a 0, or of a 4 with a closed triangle, may show a
 * hole too. `visible` is the share of a whole digit's height the glyph shows.
 */
export function allowedDigits(shape: GlyphShape, cut: GlyphCut, visible: number): string {
  // Width against a whole digit's height, so cut glyphs compare with whole ones.
  const width = shape.aspect * Math.min(1, visible);
  const byWidth = (digits: string) => (width > ONE_MAX_WIDTH ? digits.replace('1', '') : digits);

  if (cut === 'none') {
    if (width < NARROW_ASPECT) return shape.holes === 0 ? '1' : ALL_DIGITS;
    if (shape.holes >= 2) return '8';
    if (shape.holes === 1) return holeDigits(shape);
    return byWidth('123457');
  }

  if (visible < MIN_SHARE_FOR_HOLES) return byWidth(ALL_DIGITS);
  const loops = cut === 'bottom' ? '89' : '68';
  if (shape.holes === 0) return byWidth([...ALL_DIGITS].filter((digit) => !loops.includes(digit)).join(''));
  // A closed 4 keeps its triangle from either side as long as the cut misses the narrow apex.
  return `0${loops}4`;
}

function holeDigits(shape: GlyphShape): string {
  const centre = shape.holeCentre ?? 0.5;
  let digits = '8';
  if (shape.holeHeight >= ZERO_MIN_HOLE_HEIGHT && Math.abs(centre - 0.5) < ZERO_MAX_HOLE_OFFSET) digits += '0';
  if (centre > 0.45) digits += '6';
  if (centre < 0.55) digits += '49';
  return digits;
}

// A whole 1 is narrower than this share of its height; every other digit is wider.
const ONE_MAX_WIDTH = 0.45;
// A 0's counter spans at least this share of its height and sits within this offset of the middle.
const ZERO_MIN_HOLE_HEIGHT = 0.45;
const ZERO_MAX_HOLE_OFFSET = 0.15;

/**
 * Decides a digit by structure alone: two stacked holes make an 8, one tall central hole a 0, a
 * very narrow glyph without holes a 1 (for a cut glyph: most of an upright bar). The result votes
 * alongside tesseract and decides glyphs tesseract rejects. Returns null when the structure
 * decides nothing.
 */
export function digitFromStructure(shape: GlyphShape, cut: GlyphCut, visible = 1): number | null {
  if (cut !== 'none') return partialStructure(shape, visible);
  if (shape.holes === 2 && shape.holesStacked) return 8;
  if (shape.holes === 1 && shape.holeHeight >= ZERO_HOLE_HEIGHT && Math.abs(shape.holeCentre! - 0.5) < 0.1) return 0;
  if (shape.holes === 0 && shape.aspect < NARROW_ASPECT) return 1;
  return null;
}

// Most of an upright bar, with or without a flag on top, is a 1: the stem of a 4 or 7 under or
// over a cut is either short, joined to a crossbar, or slanted.
function partialStructure(shape: GlyphShape, visible: number): number | null {
  if (visible < MIN_SHARE_FOR_HOLES || shape.holes > 0) return null;
  const narrow = shape.aspect * visible < ONE_MAX_WIDTH && shape.lowerWidth * visible < NARROW_ASPECT;
  return narrow && Math.abs(shape.slant) < MAX_BAR_SLANT ? 1 : null;
}

// A bar leaning more than this (horizontal drift per unit of height) is no 1.
const MAX_BAR_SLANT = 0.08;

// Width / height below which a whole digit can only be a 1 in sans-serif meter fonts.
const NARROW_ASPECT = 0.3;
// Only a 0 has one hole spanning more than this share of its height (6 and 9 loops span about 0.4).
const ZERO_HOLE_HEIGHT = 0.55;

// Middle rows (40-55 %) against bottom rows (85-100 %): a 1's flag sits above both, so only a
// slanted stroke such as a 7's moves the centre.
function slantOf(glyph: GlyphBitmap): number {
  const row = (share: number) => Math.min(glyph.height - 1, Math.floor(share * glyph.height));
  return (inkCentre(glyph, row(0.85), glyph.height) - inkCentre(glyph, row(0.4), row(0.55) + 1)) / glyph.height;
}

function inkCentre(glyph: GlyphBitmap, from: number, to: number): number {
  let sum = 0;
  let count = 0;
  for (let y = from; y < to; y += 1) {
    for (let x = 0; x < glyph.width; x += 1) {
      if (glyph.ink[y * glyph.width + x] === 1) {
        sum += x;
        count += 1;
      }
    }
  }
  return count === 0 ? glyph.width / 2 : sum / count;
}

function inkWidth(glyph: GlyphBitmap, from: number, to: number): number {
  let left = glyph.width;
  let right = -1;
  for (let y = from; y < to; y += 1) {
    for (let x = 0; x < glyph.width; x += 1) {
      if (glyph.ink[y * glyph.width + x] !== 1) continue;
      if (x < left) left = x;
      if (x > right) right = x;
    }
  }
  return right < left ? 0 : right - left + 1;
}

function findHoles(glyph: GlyphBitmap): { area: number; centreY: number; height: number }[] {
  const { ink, width, height } = glyph;
  // Flood the background from the border; background pixels left unreached are holes.
  const seen = new Uint8Array(width * height);
  const stack: number[] = [];
  const pushIfBackground = (index: number) => {
    if (ink[index] === 0 && seen[index] === 0) {
      seen[index] = 1;
      stack.push(index);
    }
  };
  for (let x = 0; x < width; x += 1) {
    pushIfBackground(x);
    pushIfBackground((height - 1) * width + x);
  }
  for (let y = 0; y < height; y += 1) {
    pushIfBackground(y * width);
    pushIfBackground(y * width + width - 1);
  }
  flood(stack, seen, ink, width, height);

  const holes: { area: number; centreY: number; height: number }[] = [];
  const minArea = Math.max(3, MIN_HOLE_SHARE * width * height);
  for (let start = 0; start < ink.length; start += 1) {
    if (ink[start] !== 0 || seen[start] !== 0) continue;

    seen[start] = 2;
    const region = [start];
    let sumY = 0;
    let top = height;
    let bottom = 0;
    for (let i = 0; i < region.length; i += 1) {
      const index = region[i]!;
      const x = index % width;
      const y = (index - x) / width;
      sumY += y;
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
      for (const [nx, ny] of [[x - 1, y], [x + 1, y], [x, y - 1], [x, y + 1]] as const) {
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        const neighbour = ny * width + nx;
        if (ink[neighbour] === 0 && seen[neighbour] === 0) {
          seen[neighbour] = 2;
          region.push(neighbour);
        }
      }
    }
    if (region.length >= minArea) holes.push({ area: region.length, centreY: sumY / region.length, height: bottom - top + 1 });
  }
  return holes;
}

function flood(stack: number[], seen: Uint8Array, ink: Uint8Array, width: number, height: number): void {
  while (stack.length > 0) {
    const index = stack.pop()!;
    const x = index % width;
    const y = (index - x) / width;
    if (x > 0) visit(index - 1);
    if (x < width - 1) visit(index + 1);
    if (y > 0) visit(index - width);
    if (y < height - 1) visit(index + width);
  }

  function visit(index: number): void {
    if (ink[index] === 0 && seen[index] === 0) {
      seen[index] = 1;
      stack.push(index);
    }
  }
}

function medianRun(glyph: GlyphBitmap): number {
  const runs: number[] = [];
  for (let y = 0; y < glyph.height; y += 1) {
    let run = 0;
    for (let x = 0; x <= glyph.width; x += 1) {
      if (x < glyph.width && glyph.ink[y * glyph.width + x] === 1) {
        run += 1;
      } else if (run > 0) {
        runs.push(run);
        run = 0;
      }
    }
  }
  if (runs.length === 0) return 0;
  runs.sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)]!;
}
