import { createRequire } from 'node:module';
import type { GlyphBitmap, GlyphCut } from './shape.ts';

/**
 * Digit shapes from common sans-serif fonts, compared with a glyph's visible part. Tesseract is
 * trained on whole characters and misreads a digit whose bottom or top is hidden by the wheel
 * window: the top of a 2 reads as 7 or 9. The templates are cut the same way before comparing, so
 * they give an independent second opinion on rolling wheels.
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
  /** Normalised correlation of the best template, minus the aspect penalty: about 0.9 for a clean match. */
  score: number;
  /** Score lead over the best template of any other digit. */
  margin: number;
}

// Both shapes are resampled to this grid (columns x rows) before correlation.
const GRID_WIDTH = 12;
const GRID_HEIGHT = 16;
// Penalty per unit of |ln(aspect ratio)| between glyph and template part: a 1 is not a squeezed 0.
const ASPECT_PENALTY = 0.5;

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
 * same way. `visible` is the share of a whole digit's height the glyph shows.
 */
export function matchTemplates(glyph: GlyphBitmap, cut: GlyphCut, visible: number): TemplateMatch | null {
  const observed = toGrid(glyph, 0, glyph.height);
  if (!observed) return null;

  const best = new Array<number>(10).fill(-Infinity);
  for (const template of templates()) {
    const part = templatePart(template, cut, visible);
    if (!part) continue;

    const score = correlate(observed.grid, part.grid) - ASPECT_PENALTY * Math.abs(Math.log(observed.aspect / part.aspect));
    if (score > best[template.digit]!) best[template.digit] = score;
  }

  const ranked = best.map((score, digit) => ({ digit, score })).sort((a, b) => b.score - a.score);
  const [first, second] = ranked as [(typeof ranked)[0], (typeof ranked)[0]];
  return { scores: best, digit: first.digit, score: first.score, margin: first.score - second.score };
}

// Template parts by cut and visible rows, computed once: a reading needs the same few again and again.
const parts = new WeakMap<Template, Map<string, { grid: Float32Array; aspect: number } | null>>();

function templatePart(template: Template, cut: GlyphCut, visible: number): { grid: Float32Array; aspect: number } | null {
  const rows = cut === 'none' ? template.height : Math.max(1, Math.round(Math.min(1, visible) * template.height));
  const key = `${cut}:${rows}`;
  let cache = parts.get(template);
  if (!cache) {
    cache = new Map();
    parts.set(template, cache);
  }
  if (!cache.has(key)) {
    const from = cut === 'top' ? template.height - rows : 0;
    cache.set(key, toGrid(template, from, from + rows));
  }
  return cache.get(key)!;
}

// Crops rows [from, to) of a glyph to its ink box and area-samples it onto the grid.
function toGrid(glyph: { ink: Uint8Array; width: number; height: number }, from: number, to: number): { grid: Float32Array; aspect: number } | null {
  let left = glyph.width;
  let right = -1;
  let top = to;
  let bottom = from - 1;
  for (let y = from; y < to; y += 1) {
    for (let x = 0; x < glyph.width; x += 1) {
      if (glyph.ink[y * glyph.width + x] !== 1) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  if (right < 0) return null;

  const width = right - left + 1;
  const height = bottom - top + 1;
  const grid = new Float32Array(GRID_WIDTH * GRID_HEIGHT);
  for (let y = top; y <= bottom; y += 1) {
    const row = Math.min(GRID_HEIGHT - 1, Math.floor(((y - top) * GRID_HEIGHT) / height));
    for (let x = left; x <= right; x += 1) {
      const column = Math.min(GRID_WIDTH - 1, Math.floor(((x - left) * GRID_WIDTH) / width));
      grid[row * GRID_WIDTH + column]! += glyph.ink[y * glyph.width + x]!;
    }
  }
  // Normalise each cell by how many source pixels fell into it.
  const cellArea = (width / GRID_WIDTH) * (height / GRID_HEIGHT);
  for (let i = 0; i < grid.length; i += 1) grid[i] = grid[i]! / Math.max(cellArea, 1);
  return { grid, aspect: width / height };
}

function correlate(a: Float32Array, b: Float32Array): number {
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < a.length; i += 1) {
    meanA += a[i]!;
    meanB += b[i]!;
  }
  meanA /= a.length;
  meanB /= b.length;
  let cross = 0;
  let squaresA = 0;
  let squaresB = 0;
  for (let i = 0; i < a.length; i += 1) {
    const da = a[i]! - meanA;
    const db = b[i]! - meanB;
    cross += da * db;
    squaresA += da * da;
    squaresB += db * db;
  }
  return squaresA === 0 || squaresB === 0 ? 0 : cross / Math.sqrt(squaresA * squaresB);
}
