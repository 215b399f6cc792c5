import type { PointerRoi } from '@metervision/protocol';
import type { RasterImage } from './decode.ts';

/** Where a needle points, before dials are made consistent with each other. */
export interface PointerReading {
  name: string;
  /** Dial position in [0, 10): the needle angle from the printed 0, in units of 36°. */
  value: number;
  /** Needle angle in degrees clockwise from 12 o'clock in the layout frame. */
  angleDegrees: number;
  /** 0-1: how much of the coloured mass lies along one direction, scaled down for faint needles. */
  confidence: number;
}

// Needle pixels are searched in a ring around the hub, as fractions of the ROI's half size: inside
// it is the hub disc, which points nowhere; outside it are the printed numbers.
const INNER_RADIUS = 0.3;
const OUTER_RADIUS = 0.8;
const BINS = 72;
const PEAK_HALF_WIDTH_DEGREES = 25;
// A needle covers at least this share of the ring's pixels; fewer means no needle was found.
const MIN_NEEDLE_SHARE = 0.01;

/**
 * Reads one pointer dial from its RGB patch (the ROI cut from the layout frame). The needle
 * direction is the peak of the needle-coloured pixel mass by angle around the hub, refined by
 * the weighted circular mean of the pixels near that peak.
 */
export function readPointer(patch: RasterImage, roi: PointerRoi): PointerReading {
  const centreX = (roi.centre ? roi.centre.x - roi.x : (roi.width - 1) / 2) * (patch.width / roi.width);
  const centreY = (roi.centre ? roi.centre.y - roi.y : (roi.height - 1) / 2) * (patch.height / roi.height);
  const samples = collectNeedlePixels(patch, centreX, centreY, roi.needle);

  const histogram = new Float64Array(BINS);
  let total = 0;
  for (const sample of samples) {
    histogram[Math.floor(sample.angle / (360 / BINS)) % BINS]! += sample.weight;
    total += sample.weight;
  }

  const ringPixels = Math.PI * (OUTER_RADIUS ** 2 - INNER_RADIUS ** 2) * (patch.width / 2) * (patch.height / 2);
  if (samples.length < ringPixels * MIN_NEEDLE_SHARE || total === 0) {
    return { name: roi.name, value: 0, angleDegrees: 0, confidence: 0 };
  }

  const peak = (peakBin(histogram) + 0.5) * (360 / BINS);
  const { angle, weight } = circularMeanNear(samples, peak, PEAK_HALF_WIDTH_DEGREES);
  const concentration = weight / total;
  const strength = Math.min(1, samples.length / (ringPixels * MIN_NEEDLE_SHARE * 4));

  return {
    name: roi.name,
    value: angleToDialValue(angle, roi),
    angleDegrees: angle,
    confidence: Math.max(0, Math.min(1, concentration * strength)),
  };
}

/** Converts a needle angle (degrees clockwise from 12 o'clock) to the dial value in [0, 10). */
export function angleToDialValue(angleDegrees: number, roi: Pick<PointerRoi, 'zeroAngleDegrees' | 'direction'>): number {
  const sign = roi.direction === 'counterclockwise' ? -1 : 1;
  const fromZero = (((angleDegrees - roi.zeroAngleDegrees) * sign) % 360 + 360) % 360;
  const value = fromZero / 36;
  return value >= 10 ? 0 : value;
}

interface NeedleSample {
  angle: number;
  weight: number;
}

function collectNeedlePixels(patch: RasterImage, centreX: number, centreY: number, needle: PointerRoi['needle']): NeedleSample[] {
  const half = Math.min(patch.width, patch.height) / 2;
  const inner = INNER_RADIUS * half;
  const outer = OUTER_RADIUS * half;
  const samples: NeedleSample[] = [];
  const { data, width, height, channels } = patch;
  const strengths = needleStrengths(patch, needle);
  const threshold = needleThreshold(strengths);

  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const dx = x - centreX;
      const dy = y - centreY;
      const radius = Math.hypot(dx, dy);
      if (radius < inner || radius > outer) continue;

      const strength = strengths[y * width + x]! - threshold;
      if (strength <= 0) continue;

      const angle = ((Math.atan2(dx, -dy) * 180) / Math.PI + 360) % 360;
      samples.push({ angle, weight: strength * radius });
    }
  }
  return samples;
}

// Red needles: how much red exceeds the other channels. Dark needles: how dark the pixel is.
function needleStrengths(patch: RasterImage, needle: PointerRoi['needle']): Int16Array {
  const { data, channels } = patch;
  const pixels = patch.width * patch.height;
  const strengths = new Int16Array(pixels);
  for (let i = 0, offset = 0; i < pixels; i += 1, offset += channels) {
    const red = data[offset]!;
    const green = data[offset + 1]!;
    const blue = data[offset + 2]!;
    strengths[i] = needle === 'red' ? red - Math.max(green, blue) : 255 - Math.max(red, green, blue);
  }
  return strengths;
}

// Dim photos show the needle as a faint tint, so the cut-off follows the strongest pixels of the
// patch: a needle pixel has at least half the strength of the top 2 %, and never less than MIN_STRENGTH.
const MIN_STRENGTH = 12;
const STRONG_SHARE = 0.02;

function needleThreshold(strengths: Int16Array): number {
  const sorted = Int16Array.from(strengths).sort();
  const strong = sorted[Math.floor(sorted.length * (1 - STRONG_SHARE))] ?? 0;
  return Math.max(MIN_STRENGTH, strong / 2);
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

function circularMeanNear(samples: NeedleSample[], centreDegrees: number, halfWidth: number): { angle: number; weight: number } {
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
