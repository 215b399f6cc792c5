import sharp, { type Metadata } from 'sharp';
import type { Alignment, AlignmentMark } from '@metervision/protocol';
import type { RasterImage } from './decode.ts';
import { sampleRegion } from './crop.ts';
import { VisionError } from './errors.ts';
import { bestMatch } from './ncc.ts';
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

  // The layout may come from a remote sender: the header is checked before anything is decoded,
  // so an SVG or a huge image labelled PNG never reaches the rasteriser.
  const bytes = Buffer.from(base64, 'base64');
  const maxPixels = mark.width * mark.height;
  let header: Metadata;
  try {
    header = await sharp(bytes).metadata();
  } catch (error) {
    throw new VisionError('alignment_failed', `alignment mark ${mark.name} image cannot be decoded: ${(error as Error).message}`, { mark: mark.name }, { cause: error });
  }
  if (!MARK_FORMATS.has(header.format)) {
    throw new VisionError('alignment_failed', `alignment mark ${mark.name} image is ${header.format}: embed a PNG, JPEG or WebP image`, { mark: mark.name });
  }
  if (header.width !== mark.width || header.height !== mark.height) {
    throw new VisionError('alignment_failed', `alignment mark ${mark.name} image is ${header.width}x${header.height} but the layout expects ${mark.width}x${mark.height}: cut the mark image to the ROI size`, { mark: mark.name });
  }

  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels }).greyscale().raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: 1 };
  } catch (error) {
    throw new VisionError('alignment_failed', `alignment mark ${mark.name} image cannot be decoded: ${(error as Error).message}`, { mark: mark.name }, { cause: error });
  }
}

const MARK_FORMATS = new Set<string | undefined>(['png', 'jpeg', 'webp']);

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
