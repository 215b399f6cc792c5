import type { ImageQuality } from '@metervision/protocol';
import { decodeImage, toGrey, type RasterImage } from './decode.ts';

/** One documented limit of an image-quality metric, with what to do when an image fails it. */
export interface QualityThreshold {
  metric: keyof ImageQuality;
  /** `min`: the metric must be at least `limit`; `max`: at most `limit`. */
  kind: 'min' | 'max';
  limit: number;
  /** Machine-readable id of the failed check, for example `too_dark`. */
  code: string;
  advice: string;
}

/**
 * Limits used by installation validation and attached to each reading. Metrics are measured on
 * the whole greyscale image scaled down to at most 640 px on its longer side, so the limits do not
 * depend on the camera resolution. Calibrated on the real photos (brightness 106-182, contrast
 * 44-62, sharpness 230-410, glare up to 0.03 from LED reflections; one brightly lit white dial
 * reaches 0.056) and on synthetic images whose readings fail (exposure ×0.35 gives brightness
 * 46-64, Gaussian blur σ 3 px sharpness 7, a saturated spot on the counter glare 0.07).
 */
export const QUALITY_THRESHOLDS: readonly QualityThreshold[] = Object.freeze([
  { metric: 'brightness', kind: 'min', limit: 55, code: 'too_dark', advice: 'image too dark: switch on the LED or raise the exposure' },
  { metric: 'brightness', kind: 'max', limit: 215, code: 'too_bright', advice: 'image too bright: lower the exposure or dim the LED' },
  { metric: 'contrast', kind: 'min', limit: 22, code: 'low_contrast', advice: 'contrast too low: clean the meter glass, check the focus and light the dial evenly' },
  { metric: 'sharpness', kind: 'min', limit: 40, code: 'blurred', advice: 'image blurred: refocus the camera, move it to its focus distance or keep it still' },
  { metric: 'glare', kind: 'max', limit: 0.05, code: 'glare', advice: 'glare on the glass: move the LED or the camera so the reflection misses the digits, or add a diffuser' },
]);

/** A threshold an image failed, with the measured value. */
export interface QualityIssue extends QualityThreshold {
  value: number;
}

// Longer side the metrics are measured at.
const MEASURE_SIZE = 640;
// Luminance counted as saturated (glare).
const SATURATED = 250;

/** Decodes an image and measures brightness, contrast, sharpness and glare. Throws VisionError for unusable bytes. */
export async function measureImageQuality(image: Buffer): Promise<ImageQuality> {
  return qualityOfRaster(await decodeImage(image));
}

/** Lists the thresholds a measured image fails; empty when it passes them all. */
export function assessImageQuality(quality: ImageQuality, thresholds: readonly QualityThreshold[] = QUALITY_THRESHOLDS): QualityIssue[] {
  return thresholds
    .filter((threshold) => (threshold.kind === 'min' ? quality[threshold.metric] < threshold.limit : quality[threshold.metric] > threshold.limit))
    .map((threshold) => ({ ...threshold, value: quality[threshold.metric] }));
}

/** Measures an already decoded image. */
export function qualityOfRaster(image: RasterImage): ImageQuality {
  const grey = shrinkToMeasureSize(toGrey(image));
  const { data, width, height } = grey;

  let sum = 0;
  let sumSquares = 0;
  let saturated = 0;
  for (let i = 0; i < data.length; i += 1) {
    const value = data[i]!;
    sum += value;
    sumSquares += value * value;
    if (value >= SATURATED) saturated += 1;
  }
  const mean = sum / data.length;

  return {
    brightness: round2(mean),
    contrast: round2(Math.sqrt(Math.max(0, sumSquares / data.length - mean * mean))),
    sharpness: round2(laplacianVariance(data, width, height)),
    glare: Math.round((saturated / data.length) * 10_000) / 10_000,
  };
}

// Variance of the 4-neighbour Laplacian: edges give large responses, blur flattens them.
function laplacianVariance(data: Uint8Array, width: number, height: number): number {
  let sum = 0;
  let sumSquares = 0;
  let count = 0;
  for (let y = 1; y < height - 1; y += 1) {
    for (let x = 1; x < width - 1; x += 1) {
      const index = y * width + x;
      const response = data[index - 1]! + data[index + 1]! + data[index - width]! + data[index + width]! - 4 * data[index]!;
      sum += response;
      sumSquares += response * response;
      count += 1;
    }
  }
  if (count === 0) return 0;
  const mean = sum / count;
  return sumSquares / count - mean * mean;
}

// Box-averages by an integer factor so the longer side is at most MEASURE_SIZE.
function shrinkToMeasureSize(grey: RasterImage): RasterImage {
  const factor = Math.ceil(Math.max(grey.width, grey.height) / MEASURE_SIZE);
  if (factor <= 1) return grey;

  const width = Math.floor(grey.width / factor);
  const height = Math.floor(grey.height / factor);
  const out = Buffer.alloc(width * height);
  const area = factor * factor;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let total = 0;
      for (let dy = 0; dy < factor; dy += 1) {
        const row = (y * factor + dy) * grey.width + x * factor;
        for (let dx = 0; dx < factor; dx += 1) total += grey.data[row + dx]!;
      }
      out[y * width + x] = Math.round(total / area);
    }
  }
  return { data: out, width, height, channels: 1 };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
