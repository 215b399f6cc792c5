import type { ImageQuality } from '@metervision/protocol';
import { measureImageQuality, QUALITY_THRESHOLDS, type QualityThreshold } from '@metervision/vision';
import { checkImage, InvalidImageError, type ImageLimits } from '../../readings/image-check.ts';
import type { InstallationSettings } from '../settings.ts';
import type { Check } from '../types.ts';
import { grade, makeCheck } from './checks.ts';

const METRIC_UNITS: Record<keyof ImageQuality, string> = {
  brightness: 'mean grey level (0-255)',
  contrast: 'grey level standard deviation',
  sharpness: 'variance of the Laplacian',
  glare: 'share of saturated pixels (0-1)',
};

const METRIC_NAMES: Record<keyof ImageQuality, string> = { brightness: 'Brightness', contrast: 'Contrast', sharpness: 'Sharpness', glare: 'Glare' };

export interface ImageQualityOutcome {
  checks: Check[];
  /** Decoded size; null when the image could not be decoded. */
  size: { width: number; height: number } | null;
  quality: ImageQuality | null;
}

/**
 * Stage 2 after the capture. Checks the camera's image like the images of readings with
 * `checkImage`: the format found in the bytes must be JPEG, PNG or WebP and equal to
 * `contentType`, within the pixel limit, and it must decode completely. Then grades its
 * resolution, brightness, contrast, sharpness (variance of the Laplacian) and glare (share of
 * saturated pixels) against the vision package's documented thresholds, each failed metric with
 * its advice. `size` is null when the image failed, and then the caller must not store it.
 */
export async function imageQualityChecks(image: Buffer, contentType: string, settings: InstallationSettings, limits: Omit<ImageLimits, 'contentType'>): Promise<ImageQualityOutcome> {
  let size: { width: number; height: number };
  let quality: ImageQuality;
  try {
    const checked = await checkImage(image, { ...limits, contentType });
    size = { width: checked.width, height: checked.height };
    quality = await measureImageQuality(image);
  } catch (error) {
    if (error instanceof InvalidImageError) return { checks: [invalidImageCheck(error)], size: null, quality: null };
    const check = makeCheck('image_decodes', 'failed', {
      measured: false,
      threshold: { equals: 'a JPEG or PNG image' },
      message: `The camera's image could not be decoded: ${(error as Error).message}`,
      advice: 'Restart the camera software; if the error stays, check the camera module and its cable.',
    });
    return { checks: [check], size: null, quality: null };
  }

  const checks = [resolutionCheck(size, settings), ...metricChecks(quality, settings.qualityWarningMargin)];
  return { checks, size, quality };
}

function invalidImageCheck(error: InvalidImageError): Check {
  return makeCheck('image_valid', 'failed', {
    measured: error.problem,
    threshold: { text: 'a complete JPEG or PNG image of its declared content type' },
    message: `The camera sent an invalid image: ${error.message}.`,
    advice: 'The camera sent an invalid image: update or reinstall the camera software, and check that it is a MeterVision camera.',
  });
}

function resolutionCheck(size: { width: number; height: number }, settings: InstallationSettings): Check {
  const large = size.width >= settings.minImageWidth && size.height >= settings.minImageHeight;
  return makeCheck('resolution', large ? 'passed' : 'failed', {
    measured: `${size.width}x${size.height}`,
    threshold: { text: `at least ${settings.minImageWidth}x${settings.minImageHeight}` },
    unit: 'pixels',
    message: `The image is ${size.width}x${size.height} pixels${large ? '' : `, smaller than ${settings.minImageWidth}x${settings.minImageHeight}`}.`,
    advice: `Raise the camera resolution to at least ${settings.minImageWidth}x${settings.minImageHeight}.`,
  });
}

/** One check per metric, graded against all of its thresholds (brightness has a lower and an upper one). */
function metricChecks(quality: ImageQuality, margin: number): Check[] {
  const metrics = [...new Set(QUALITY_THRESHOLDS.map((threshold) => threshold.metric))];
  return metrics.map((metric) => {
    const thresholds = QUALITY_THRESHOLDS.filter((threshold) => threshold.metric === metric);
    const limit = boundsOf(thresholds);
    const value = quality[metric];
    const status = grade(value, limit, margin);
    const crossed = crossedThreshold(thresholds, value, limit);

    return makeCheck(metric, status, {
      measured: value,
      threshold: limit,
      unit: METRIC_UNITS[metric],
      message: metricMessage(metric, value, status, crossed),
      advice: status === 'warning' ? `Close to the limit. ${crossed.advice}` : crossed.advice,
    });
  });
}

function boundsOf(thresholds: QualityThreshold[]): { min?: number; max?: number } {
  const bounds: { min?: number; max?: number } = {};
  for (const threshold of thresholds) bounds[threshold.kind] = threshold.limit;
  return bounds;
}

/** The threshold the value is beyond or nearest to, whose advice applies. */
function crossedThreshold(thresholds: QualityThreshold[], value: number, limit: { min?: number; max?: number }): QualityThreshold {
  if (thresholds.length === 1 || limit.min === undefined || limit.max === undefined) return thresholds[0]!;
  const nearerMin = Math.abs(value - limit.min) < Math.abs(value - limit.max);
  return thresholds.find((threshold) => threshold.kind === (nearerMin ? 'min' : 'max'))!;
}

function metricMessage(metric: keyof ImageQuality, value: number, status: string, threshold: QualityThreshold): string {
  const name = METRIC_NAMES[metric];
  if (status === 'passed') return `${name} is ${value}.`;
  const relation = threshold.kind === 'min' ? 'below' : 'above';
  if (status === 'failed') return `${name} ${value} is ${relation} the limit of ${threshold.limit}.`;
  return `${name} ${value} is close to the ${threshold.kind === 'min' ? 'lower' : 'upper'} limit of ${threshold.limit}.`;
}
