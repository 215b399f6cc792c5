import type { PointerRoi } from '@metervision/protocol';
import type { RasterImage } from './decode.ts';
import { findNeedleMask, type NeedleMask } from './needle.ts';

/** Needle position of one dial, before dials are made consistent with each other. */
export interface PointerReading {
  name: string;
  /** Dial position in [0, 10): the needle angle from the printed 0, in units of 36°. */
  value: number;
  /** Needle angle in degrees clockwise from 12 o'clock in the layout frame. */
  angleDegrees: number;
  /** 0-1: how much of the needle lies along one direction, lowered for small or faint needles. */
  confidence: number;
  /** Reason when no needle was found or the confidence is low. */
  note?: string;
}

// Pixels closer to the hub than this many hub radii belong to the hub disc, which points nowhere.
const HUB_CLEARANCE = 1.3;
const BINS = 72;
const PEAK_HALF_WIDTH_DEGREES = 25;

// Needle pixels farther from the hub than this share of the ROI's half size are printed numbers or
// a neighbouring dial.
const OUTER_RADIUS = 0.85;

// Dials are resampled so their longer side is at most this many pixels: enough for a needle angle
// to within a degree or two, and a quarter of the work of a 120 px ROI.
const MAX_PATCH_SIZE = 64;

/** Scale at which to cut a dial's ROI for {@link readPointer}. */
export function pointerScale(roi: PointerRoi): number {
  return Math.min(1, MAX_PATCH_SIZE / Math.max(roi.width, roi.height));
}

/**
 * Reads one pointer dial from its RGB patch (the ROI cut from the layout frame). The hub is the
 * layout's `centre` or else the thickest point of the needle-coloured blob nearest the ROI centre
 * (the hub disc, or the round end of a teardrop needle). The direction is the peak of the
 * needle-coloured mass by angle in a ring around the hub, beyond the hub disc, refined by a
 * weighted circular mean. Faint needles often break apart when thresholded, so the ring uses every
 * strong pixel, not only the hub's blob.
 */
export function readPointer(patch: RasterImage, roi: PointerRoi): PointerReading {
  const mask = findNeedleMask(patch, roi);
  if (!mask) return { name: roi.name, value: 0, angleDegrees: 0, confidence: 0, note: `no ${roi.needle} needle found in dial ${roi.name}` };

  const samples = ringSamples(mask, patch.width, patch.height);
  if (samples.length < 3) {
    return { name: roi.name, value: 0, angleDegrees: 0, confidence: 0, note: `dial ${roi.name}: the needle does not reach beyond its hub` };
  }

  const histogram = new Float64Array(BINS);
  let total = 0;
  for (const sample of samples) {
    histogram[Math.floor(sample.angle / (360 / BINS)) % BINS]! += sample.weight;
    total += sample.weight;
  }
  const peak = (peakBin(histogram) + 0.5) * (360 / BINS);
  const { angle, weight } = circularMeanNear(samples, peak, PEAK_HALF_WIDTH_DEGREES);

  // A needle is a narrow wedge: most of its mass lies within the peak window.
  const concentration = weight / total;
  const confidence = clamp01((concentration - 0.4) / 0.4);
  return { name: roi.name, value: angleToDialValue(angle, roi), angleDegrees: angle, confidence };
}

/** Converts a needle angle (degrees clockwise from 12 o'clock) to the dial value in [0, 10). */
export function angleToDialValue(angleDegrees: number, roi: Pick<PointerRoi, 'zeroAngleDegrees' | 'direction'>): number {
  const sign = roi.direction === 'counterclockwise' ? -1 : 1;
  const fromZero = ((((angleDegrees - roi.zeroAngleDegrees) * sign) % 360) + 360) % 360;
  const value = fromZero / 36;
  return value >= 10 ? 0 : value;
}

function ringSamples(mask: NeedleMask, width: number, height: number): { angle: number; weight: number }[] {
  const inner = HUB_CLEARANCE * mask.hubRadius;
  const outer = (OUTER_RADIUS * Math.min(width, height)) / 2;
  const samples: { angle: number; weight: number }[] = [];
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const strength = mask.weights[y * width + x]!;
      if (strength === 0) continue;

      const dx = x - mask.hub.x;
      const dy = y - mask.hub.y;
      const radius = Math.hypot(dx, dy);
      if (radius <= inner || radius > outer) continue;
      samples.push({ angle: ((Math.atan2(dx, -dy) * 180) / Math.PI + 360) % 360, weight: radius * strength });
    }
  }
  return samples;
}

function peakBin(histogram: Float64Array): number {
  let best = 0;
  let bestSum = -1;
  for (let bin = 0; bin < BINS; bin += 1) {
    const sum = histogram[(bin + BINS - 1) % BINS]! + 2 * histogram[bin]! + histogram[(bin + 1) % BINS]!;
    if (sum > bestSum) {
      bestSum = sum;
      best = bin;
    }
  }
  return best;
}

function circularMeanNear(samples: { angle: number; weight: number }[], centreDegrees: number, halfWidth: number): { angle: number; weight: number } {
  let sumX = 0;
  let sumY = 0;
  let weight = 0;
  for (const sample of samples) {
    const offset = ((sample.angle - centreDegrees + 540) % 360) - 180;
    if (Math.abs(offset) > halfWidth) continue;

    const radians = (sample.angle * Math.PI) / 180;
    sumX += Math.sin(radians) * sample.weight;
    sumY += Math.cos(radians) * sample.weight;
    weight += sample.weight;
  }
  const angle = ((Math.atan2(sumX, sumY) * 180) / Math.PI + 360) % 360;
  return { angle, weight };
}

function clamp01(value: number): number {
  return Math.max(0, Math.min(1, value));
}
