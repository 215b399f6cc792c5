import type { RasterImage } from './decode.ts';
import type { Point } from './transform.ts';

/**
 * Best offset of `template` in `search` by normalised cross-correlation, refined to sub-pixel.
 * The search runs at half resolution first and is then refined at full resolution around the
 * best coarse offsets, a twelfth of the work of an exhaustive full-resolution search.
 */
export function bestMatch(search: RasterImage, template: RasterImage): { x: number; y: number; score: number } {
  const columns = search.width - template.width + 1;
  const rows = search.height - template.height + 1;
  if (columns <= 0 || rows <= 0) return { x: 0, y: 0, score: 0 };

  const fine = prepareTemplate(template);
  const scores = new Float32Array(columns * rows).fill(-2);
  const scoreAt = (x: number, y: number) => {
    const index = y * columns + x;
    if (scores[index] === -2) scores[index] = correlationAt(search, fine, x, y);
    return scores[index]!;
  };

  const starts = Math.min(template.width, template.height) >= MIN_COARSE_TEMPLATE ? coarseCandidates(search, template) : allOffsets(columns, rows);
  let best = { x: 0, y: 0, score: -2 };
  for (const start of starts) {
    for (let y = Math.max(0, start.y - REFINE_RADIUS); y <= Math.min(rows - 1, start.y + REFINE_RADIUS); y += 1) {
      for (let x = Math.max(0, start.x - REFINE_RADIUS); x <= Math.min(columns - 1, start.x + REFINE_RADIUS); x += 1) {
        const score = scoreAt(x, y);
        if (score > best.score) best = { x, y, score };
      }
    }
  }
  return { ...refinePeak(scoreAt, columns, rows, best), score: Math.max(0, best.score) };
}

// Templates smaller than this (pixels on the shorter side) are searched at full resolution only.
const MIN_COARSE_TEMPLATE = 16;
// Full-resolution neighbourhood searched around each coarse candidate.
const REFINE_RADIUS = 2;
// Coarse peaks refined at full resolution; more than one guards against a near tie at half resolution.
const COARSE_CANDIDATES = 3;

interface PreparedTemplate {
  centred: Float32Array;
  norm: number;
  width: number;
  height: number;
}

function prepareTemplate(template: RasterImage): PreparedTemplate {
  const count = template.width * template.height;
  let sum = 0;
  for (const value of template.data) sum += value;
  const mean = sum / count;
  const centred = Float32Array.from(template.data, (value) => value - mean);
  let squares = 0;
  for (const value of centred) squares += value * value;
  return { centred, norm: Math.sqrt(squares), width: template.width, height: template.height };
}

function coarseCandidates(search: RasterImage, template: RasterImage): { x: number; y: number }[] {
  const small = halve(search);
  const coarse = prepareTemplate(halve(template));
  const columns = small.width - coarse.width + 1;
  const rows = small.height - coarse.height + 1;
  const found: { x: number; y: number; score: number }[] = [];
  for (let y = 0; y < rows; y += 1) {
    for (let x = 0; x < columns; x += 1) found.push({ x: x * 2, y: y * 2, score: correlationAt(small, coarse, x, y) });
  }
  return found.sort((a, b) => b.score - a.score).slice(0, COARSE_CANDIDATES);
}

function allOffsets(columns: number, rows: number): { x: number; y: number }[] {
  const offsets: { x: number; y: number }[] = [];
  for (let y = REFINE_RADIUS; y < rows + REFINE_RADIUS; y += 2 * REFINE_RADIUS + 1) {
    for (let x = REFINE_RADIUS; x < columns + REFINE_RADIUS; x += 2 * REFINE_RADIUS + 1) offsets.push({ x, y });
  }
  return offsets;
}

// 2x2 box average.
function halve(image: RasterImage): RasterImage {
  const width = Math.floor(image.width / 2);
  const height = Math.floor(image.height / 2);
  const data = Buffer.alloc(width * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const top = 2 * y * image.width + 2 * x;
      const bottom = top + image.width;
      data[y * width + x] = (image.data[top]! + image.data[top + 1]! + image.data[bottom]! + image.data[bottom + 1]! + 2) >> 2;
    }
  }
  return { data, width, height, channels: 1 };
}

function correlationAt(search: RasterImage, template: PreparedTemplate, ox: number, oy: number): number {
  const { centred, width: tw, height: th, norm: templateNorm } = template;
  let sum = 0;
  let squares = 0;
  let cross = 0;
  for (let y = 0; y < th; y += 1) {
    const row = (oy + y) * search.width + ox;
    const templateRow = y * tw;
    for (let x = 0; x < tw; x += 1) {
      const value = search.data[row + x]!;
      sum += value;
      squares += value * value;
      cross += value * centred[templateRow + x]!;
    }
  }
  const count = tw * th;
  const norm = Math.sqrt(Math.max(0, squares - (sum * sum) / count));
  if (norm === 0 || templateNorm === 0) return 0;
  return cross / (norm * templateNorm);
}

// Fits a parabola through the peak and its neighbours on each axis.
function refinePeak(at: (x: number, y: number) => number, columns: number, rows: number, best: { x: number; y: number }): Point {
  const offset = (left: number, centre: number, right: number) => {
    const curvature = left - 2 * centre + right;
    return curvature < 0 ? Math.max(-0.5, Math.min(0.5, (left - right) / (2 * curvature))) : 0;
  };
  const x = best.x > 0 && best.x < columns - 1 ? best.x + offset(at(best.x - 1, best.y), at(best.x, best.y), at(best.x + 1, best.y)) : best.x;
  const y = best.y > 0 && best.y < rows - 1 ? best.y + offset(at(best.x, best.y - 1), at(best.x, best.y), at(best.x, best.y + 1)) : best.y;
  return { x, y };
}

