import sharp from 'sharp';
import type { Alignment, AlignmentMark } from '@metervision/protocol';
import type { RasterImage } from './decode.ts';
import { sampleRegion } from './crop.ts';
import { VisionError } from './errors.ts';
import { composeAffine, type Affine, type Point } from './transform.ts';
import type { AlignmentResult, MarkMatch } from './types.ts';

// Found marks farther apart or closer together than this share of their configured distance mean
// a wrong match or a camera that moved towards or away from the meter.
const MAX_SCALE_CHANGE = 0.05;
const MARK_CACHE_SIZE = 32;

const markCache = new Map<string, Promise<RasterImage>>();

/**
 * Finds the layout's reference marks near their configured positions in the rotated image, by
 * normalised cross-correlation on greyscale pixels. Returns the frame-to-source map that puts them
 * back on those positions: one mark fixes the shift, two also fix the rotation about the first.
 * Throws `alignment_failed` with the similarity found when a mark is not found.
 */
export async function alignToMarks(grey: RasterImage, rotation: Affine, alignment: Alignment): Promise<{ toSource: Affine; result: AlignmentResult }> {
  const templates = await Promise.all(alignment.marks.map((mark) => markPixels(mark)));
  const matches = alignment.marks.map((mark, index) => findMark(grey, rotation, mark, templates[index]!, alignment));

  for (const [index, match] of matches.entries()) {
    if (match.similarity < alignment.minSimilarity) {
      throw new VisionError(
        'alignment_failed',
        `alignment mark ${match.name} not found: best similarity ${match.similarity.toFixed(2)} is below ${alignment.minSimilarity} ` +
          `within ±${alignment.searchRadius.x}/${alignment.searchRadius.y} px of its position: check that the camera has not moved and the mark is lit`,
        { mark: match.name, similarity: round3(match.similarity), minSimilarity: alignment.minSimilarity, searchRadius: alignment.searchRadius, expected: { x: alignment.marks[index]!.x, y: alignment.marks[index]!.y } },
      );
    }
  }

  const expected = alignment.marks.map(markCentre);
  const found = matches.map((match, index) => ({ x: match.x + alignment.marks[index]!.width / 2, y: match.y + alignment.marks[index]!.height / 2 }));
  const angle = found.length === 2 ? rotationBetween(expected, found, matches) : 0;
  const correction = similarityMap(expected[0]!, found[0]!, angle);

  return {
    toSource: composeAffine(rotation, correction),
    result: {
      marks: matches.map((match) => ({ ...match, similarity: round3(match.similarity) })),
      dx: round3(found[0]!.x - expected[0]!.x),
      dy: round3(found[0]!.y - expected[0]!.y),
      angleDegrees: round3((angle * 180) / Math.PI),
    },
  };
}

function findMark(grey: RasterImage, rotation: Affine, mark: AlignmentMark, template: RasterImage, alignment: Alignment): MarkMatch {
  const { x: radiusX, y: radiusY } = alignment.searchRadius;
  const window = { x: mark.x - radiusX, y: mark.y - radiusY, width: mark.width + 2 * radiusX, height: mark.height + 2 * radiusY };
  const pixels = sampleRegion(grey, rotation, window);
  const sized = template.width === mark.width && template.height === mark.height ? template : null;
  if (!sized) {
    throw new VisionError('alignment_failed', `alignment mark ${mark.name} image is ${template.width}x${template.height} but the layout expects ${mark.width}x${mark.height}: cut the mark image to the ROI size`, {
      mark: mark.name,
      imageWidth: template.width,
      imageHeight: template.height,
    });
  }

  const best = bestMatch(pixels, sized);
  return { name: mark.name, x: window.x + best.x, y: window.y + best.y, similarity: best.score };
}

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

function rotationBetween(expected: Point[], found: Point[], matches: MarkMatch[]): number {
  const expectedAngle = Math.atan2(expected[1]!.y - expected[0]!.y, expected[1]!.x - expected[0]!.x);
  const foundAngle = Math.atan2(found[1]!.y - found[0]!.y, found[1]!.x - found[0]!.x);
  const expectedDistance = Math.hypot(expected[1]!.x - expected[0]!.x, expected[1]!.y - expected[0]!.y);
  const foundDistance = Math.hypot(found[1]!.x - found[0]!.x, found[1]!.y - found[0]!.y);
  const scale = foundDistance / expectedDistance;
  if (Math.abs(scale - 1) > MAX_SCALE_CHANGE) {
    throw new VisionError(
      'alignment_failed',
      `alignment marks were found ${foundDistance.toFixed(1)} px apart instead of ${expectedDistance.toFixed(1)} px: the camera moved towards or away from the meter, or a mark matched the wrong spot`,
      { marks: matches.map((match) => match.name), distance: round3(foundDistance), expectedDistance: round3(expectedDistance) },
    );
  }
  return foundAngle - expectedAngle;
}

// Maps aligned-frame points to rotated-image points: `expected` goes to `found`, turned by `angle` radians about it.
function similarityMap(expected: Point, found: Point, angle: number): Affine {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return {
    a: cos,
    b: -sin,
    c: found.x - (cos * expected.x - sin * expected.y),
    d: sin,
    e: cos,
    f: found.y - (sin * expected.x + cos * expected.y),
  };
}

function markCentre(mark: AlignmentMark): Point {
  return { x: mark.x + mark.width / 2, y: mark.y + mark.height / 2 };
}

/** Decodes a mark's data URL to greyscale pixels, cached because every read of a layout needs them. */
async function markPixels(mark: AlignmentMark): Promise<RasterImage> {
  const cached = markCache.get(mark.image);
  if (cached) return cached;

  const decoded = decodeMark(mark);
  markCache.set(mark.image, decoded);
  decoded.catch(() => markCache.delete(mark.image));
  if (markCache.size > MARK_CACHE_SIZE) markCache.delete(markCache.keys().next().value!);
  return decoded;
}

async function decodeMark(mark: AlignmentMark): Promise<RasterImage> {
  const base64 = mark.image.slice(mark.image.indexOf(',') + 1);
  if (!mark.image.startsWith('data:image/')) {
    throw new VisionError('alignment_failed', `alignment mark ${mark.name} image is not a data URL: load the layout with parseLayout or loadLayoutFile`, { mark: mark.name });
  }
  try {
    const { data, info } = await sharp(Buffer.from(base64, 'base64')).greyscale().raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: 1 };
  } catch (error) {
    throw new VisionError('alignment_failed', `alignment mark ${mark.name} image cannot be decoded: ${(error as Error).message}`, { mark: mark.name }, { cause: error });
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
