import { createRequire } from 'node:module';
import type { GlyphBitmap, GlyphCut } from './shape.ts';

/**
 * Digit shapes from common sans-serif fonts, compared with a glyph or the visible part of one.
 * Tesseract is trained on whole characters and misreads a digit whose bottom or top is hidden by
 * the wheel window: the top of a 2 reads as 7 or 9. The templates are cut the same way before
 * comparing, so they decide rolling wheels (`rolling-wheel.ts`) and check tesseract on whole
 * digits. Glyph and template are compared at the scale of a whole digit's height, not stretched to
 * their ink boxes, so a bar stays a bar and the bottom third of a digit never meets a whole one.
 */

interface Template {
  digit: number;
  width: number;
  height: number;
  ink: Uint8Array;
}

interface TemplateFile {
  height: number;
  templates: { font: string; digits: { digit: number; width: number; bits: string }[] }[];
}

export interface TemplateMatch {
  /** Best score per digit 0-9. */
  scores: number[];
  digit: number;
  /** Normalised correlation of the best template: about 0.9 for a clean match. */
  score: number;
  /** Score lead over the best template of any other digit. */
  margin: number;
}

// Both shapes are resampled to this grid (columns x rows) before correlation.
const GRID_WIDTH = 12;
const GRID_HEIGHT = 16;
// Width of the comparison frame as a share of a whole digit's height, wide enough for any digit.
// Glyph and template are each centred in it at the same scale, so a narrow bar stays narrow.
const FRAME_WIDTH_SHARE = 0.8;

let loaded: Template[] | null = null;

function templates(): Template[] {
  if (loaded) return loaded;
  const file = createRequire(import.meta.url)('./templates.json') as TemplateFile;
  loaded = file.templates.flatMap((font) =>
    font.digits.map(({ digit, width, bits }) => {
      const binary = BigInt(`0x${bits}`).toString(2).slice(1);
      return { digit, width, height: file.height, ink: Uint8Array.from(binary, (char) => (char === '1' ? 1 : 0)) };
    }),
  );
  return loaded;
}

/**
 * Compares a glyph (whole, or the part a window edge leaves visible) with every template cut the
 * same way. `visible` is the share of a whole digit's height the glyph shows and `digitHeight` a
 * whole digit's height in the glyph's pixels.
 */
export function matchTemplates(glyph: GlyphBitmap, cut: GlyphCut, visible: number, digitHeight: number): TemplateMatch | null {
  const grid = toGrid(glyph, 0, glyph.height, FRAME_WIDTH_SHARE * digitHeight);
  const observed = grid && normalise(grid);
  if (!observed) return null;

  const best = new Array<number>(10).fill(-Infinity);
  for (const shape of templates()) {
    const part = templatePart(shape, cut, visible);
    if (!part) continue;

    const score = bestShiftedCorrelation(observed, part);
    if (score > best[shape.digit]!) best[shape.digit] = score;
  }

  const ranked = best.map((score, digit) => ({ digit, score })).sort((a, b) => b.score - a.score);
  const [first, second] = ranked as [(typeof ranked)[0], (typeof ranked)[0]];
  return { scores: best, digit: first.digit, score: first.score, margin: first.score - second.score };
}

// Grid cells a template may move against the glyph before correlating: strokes a few pixels
// apart on a coarse grid would otherwise not overlap at all.
const MAX_SHIFT_X = 2;
const MAX_SHIFT_Y = 1;
const CELLS = GRID_WIDTH * GRID_HEIGHT;
const SHIFTS = (2 * MAX_SHIFT_X + 1) * (2 * MAX_SHIFT_Y + 1);

// Template parts by cut and visible rows, computed once: a reading needs the same few again and
// again. About 5,000 parts exist (templates x cuts x visible rows), under 1 KB each.
const parts = new WeakMap<Template, Map<string, ShiftablePart | null>>();

interface ShiftablePart {
  grid: Float32Array;
  /** Norm of the grid's deviations from its mean at each shift, cells moved in counting as empty. */
  norms: Float32Array;
}

function templatePart(template: Template, cut: GlyphCut, visible: number): ShiftablePart | null {
  const rows = cut === 'none' ? template.height : Math.max(1, Math.round(Math.min(1, visible) * template.height));
  const key = `${cut}:${rows}`;
  let cache = parts.get(template);
  if (!cache) {
    cache = new Map();
    parts.set(template, cache);
  }
  if (!cache.has(key)) {
    const from = cut === 'top' ? template.height - rows : 0;
    const grid = toGrid(template, from, from + rows, FRAME_WIDTH_SHARE * template.height);
    cache.set(key, grid && { grid, norms: shiftedNorms(grid) });
  }
  return cache.get(key)!;
}

/**
 * Area-samples rows [from, to) of a glyph onto the grid, in a frame `frameWidth` pixels wide centred
 * on the ink. Returns null for rows without ink.
 */
function toGrid(glyph: { ink: Uint8Array; width: number; height: number }, from: number, to: number, frameWidth: number): Float32Array | null {
  let left = glyph.width;
  let right = -1;
  for (let y = from; y < to; y += 1) {
    for (let x = 0; x < glyph.width; x += 1) {
      if (glyph.ink[y * glyph.width + x] !== 1) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
  }
  if (right < 0) return null;

  const frameLeft = (left + right + 1) / 2 - frameWidth / 2;
  const height = to - from;
  const grid = new Float32Array(CELLS);
  for (let y = from; y < to; y += 1) {
    const row = Math.min(GRID_HEIGHT - 1, Math.floor(((y - from) * GRID_HEIGHT) / height));
    for (let x = left; x <= right; x += 1) {
      const column = Math.floor(((x + 0.5 - frameLeft) * GRID_WIDTH) / frameWidth);
      if (column < 0 || column >= GRID_WIDTH) continue;
      grid[row * GRID_WIDTH + column]! += glyph.ink[y * glyph.width + x]!;
    }
  }
  // Normalise each cell by how many source pixels fell into it.
  const cellArea = (frameWidth / GRID_WIDTH) * (height / GRID_HEIGHT);
  for (let i = 0; i < grid.length; i += 1) grid[i] = grid[i]! / Math.max(cellArea, 1);
  return grid;
}

// Norm of the grid's deviations from its mean when moved by each shift, cells moved in empty.
function shiftedNorms(grid: Float32Array): Float32Array {
  const norms = new Float32Array(SHIFTS);
  let at = 0;
  for (let dy = -MAX_SHIFT_Y; dy <= MAX_SHIFT_Y; dy += 1) {
    for (let dx = -MAX_SHIFT_X; dx <= MAX_SHIFT_X; dx += 1) {
      let sum = 0;
      let squares = 0;
      for (let row = Math.max(0, dy); row < Math.min(GRID_HEIGHT, GRID_HEIGHT + dy); row += 1) {
        for (let column = Math.max(0, dx); column < Math.min(GRID_WIDTH, GRID_WIDTH + dx); column += 1) {
          const value = grid[(row - dy) * GRID_WIDTH + column - dx]!;
          sum += value;
          squares += value * value;
        }
      }
      norms[at] = Math.sqrt(Math.max(0, squares - (sum * sum) / CELLS));
      at += 1;
    }
  }
  return norms;
}

// Pearson correlation of the glyph with the template at its best shift. The glyph is normalised
// and sums to zero, so the template's mean drops out and only its norm at that shift is needed.
// Plain loops: this runs for every template, about 80 times per glyph.
function bestShiftedCorrelation(observed: Float32Array, part: ShiftablePart): number {
  const { grid, norms } = part;
  let best = -1;
  let at = 0;
  for (let dy = -MAX_SHIFT_Y; dy <= MAX_SHIFT_Y; dy += 1) {
    for (let dx = -MAX_SHIFT_X; dx <= MAX_SHIFT_X; dx += 1) {
      const norm = norms[at]!;
      at += 1;
      if (norm === 0) continue;

      let dot = 0;
      for (let row = Math.max(0, dy); row < Math.min(GRID_HEIGHT, GRID_HEIGHT + dy); row += 1) {
        const cell = row * GRID_WIDTH;
        const source = (row - dy) * GRID_WIDTH - dx;
        for (let column = Math.max(0, dx); column < Math.min(GRID_WIDTH, GRID_WIDTH + dx); column += 1) {
          dot += observed[cell + column]! * grid[source + column]!;
        }
      }
      if (dot / norm > best) best = dot / norm;
    }
  }
  return best;
}

// Subtracts the mean and divides by the norm; null for a uniform grid, which correlates with nothing.
function normalise(grid: Float32Array): Float32Array | null {
  let mean = 0;
  for (let i = 0; i < grid.length; i += 1) mean += grid[i]!;
  mean /= grid.length;
  let squares = 0;
  for (let i = 0; i < grid.length; i += 1) squares += (grid[i]! - mean) ** 2;
  if (squares === 0) return null;

  const norm = Math.sqrt(squares);
  return Float32Array.from(grid, (value) => (value - mean) / norm);
}
