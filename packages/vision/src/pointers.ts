import type { PointerRoi } from '@metervision/protocol';
import type { RasterImage } from './decode.ts';
import { labelComponents } from './digits/glyphs.ts';

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

// Needle pixels are at least half as strong as the strongest 2 % of the patch (dim photos show a
// red needle as a faint tint) and never weaker than MIN_STRENGTH.
const MIN_STRENGTH = 12;
const STRONG_SHARE = 0.02;
// The needle blob must cover at least this share of the ROI.
const MIN_NEEDLE_SHARE = 0.01;
// Pixels closer to the hub than this many hub radii belong to the hub disc, which points nowhere.
const HUB_CLEARANCE = 1.3;
const BINS = 72;
const PEAK_HALF_WIDTH_DEGREES = 25;

interface NeedleMask {
  /** Needle strength above the threshold per pixel, 0 elsewhere. */
  weights: Float32Array;
  hub: { x: number; y: number };
  hubRadius: number;
}

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

function findNeedleMask(patch: RasterImage, roi: PointerRoi): NeedleMask | null {
  const { width, height } = patch;
  const strengths = needleStrengths(patch, roi.needle);
  const threshold = needleThreshold(strengths);
  const mask = new Uint8Array(strengths.length);
  for (let i = 0; i < strengths.length; i += 1) mask[i] = strengths[i]! > threshold ? 1 : 0;
  const { labels, boxes } = labelComponents({ ink: mask, width, height, style: 'dark-on-light', separation: 0 });

  const scaleX = width / roi.width;
  const scaleY = height / roi.height;
  const nominal = roi.centre ? { x: (roi.centre.x - roi.x) * scaleX, y: (roi.centre.y - roi.y) * scaleY } : { x: (width - 1) / 2, y: (height - 1) / 2 };
  const minArea = MIN_NEEDLE_SHARE * width * height;
  const candidates = boxes.filter((box) => box.label > 0 && box.area >= minArea);
  if (candidates.length === 0) return null;

  // The needle blob is the one reaching closest to the nominal hub; stray red (a neighbouring dial,
  // a flow indicator) lies farther out.
  const distanceToBox = (box: (typeof candidates)[0]) =>
    Math.hypot(Math.max(box.left - nominal.x, 0, nominal.x - box.right), Math.max(box.top - nominal.y, 0, nominal.y - box.bottom));
  const blob = candidates.sort((a, b) => distanceToBox(a) - distanceToBox(b) || b.area - a.area)[0]!;

  const inBlob = new Uint8Array(labels.length);
  const weights = new Float32Array(strengths.length);
  for (let i = 0; i < labels.length; i += 1) {
    inBlob[i] = labels[i] === blob.label ? 1 : 0;
    weights[i] = Math.max(0, strengths[i]! - threshold);
  }
  const thickest = thickestPoint(inBlob, width, height, nominal);
  return { weights, hub: roi.centre ? nominal : thickest.point, hubRadius: thickest.radius };
}

// Red needles: how much red exceeds the other channels. Dark needles: how dark the pixel is.
// Channels are first balanced so the patch's median colour (the dial face) is grey. Under a cyan
// or yellow cast a red needle then shows as clearly as under white light.
function needleStrengths(patch: RasterImage, needle: PointerRoi['needle']): Int16Array {
  const { data, channels } = patch;
  const pixels = patch.width * patch.height;
  const [redGain, greenGain, blueGain] = greyBalanceGains(patch);
  const strengths = new Int16Array(pixels);
  for (let i = 0, offset = 0; i < pixels; i += 1, offset += channels) {
    const red = data[offset]! * redGain;
    const green = data[offset + 1]! * greenGain;
    const blue = data[offset + 2]! * blueGain;
    strengths[i] = Math.round(needle === 'red' ? red - Math.max(green, blue) : 255 - Math.max(red, green, blue));
  }
  return strengths;
}

// Gains are limited so a patch that is mostly needle cannot be balanced into nonsense.
const MAX_GAIN = 3;

function greyBalanceGains(patch: RasterImage): [number, number, number] {
  const medians = [0, 1, 2].map((channel) => {
    const histogram = new Uint32Array(256);
    for (let offset = channel; offset < patch.data.length; offset += patch.channels) histogram[patch.data[offset]!]! += 1;
    let seen = 0;
    for (let level = 0; level < 256; level += 1) {
      seen += histogram[level]!;
      if (seen * 2 >= patch.width * patch.height) return Math.max(1, level);
    }
    return 255;
  });
  const grey = (medians[0]! + medians[1]! + medians[2]!) / 3;
  const gain = (median: number) => Math.min(MAX_GAIN, Math.max(1 / MAX_GAIN, grey / median));
  return [gain(medians[0]!), gain(medians[1]!), gain(medians[2]!)];
}

function needleThreshold(strengths: Int16Array): number {
  const histogram = new Uint32Array(512);
  for (const strength of strengths) histogram[strength + 256]! += 1;
  let seen = 0;
  const target = strengths.length * STRONG_SHARE;
  for (let bin = 511; bin >= 0; bin -= 1) {
    seen += histogram[bin]!;
    if (seen >= target) return Math.max(MIN_STRENGTH, (bin - 256) / 2);
  }
  return MIN_STRENGTH;
}

/**
 * Centre and radius of the largest disc inside the blob (chamfer distance transform); among equal
 * radii the point nearest `near` wins.
 */
function thickestPoint(mask: Uint8Array, width: number, height: number, near: { x: number; y: number }): { point: { x: number; y: number }; radius: number } {
  const distance = chamferDistance(mask, width, height);
  let best = { x: near.x, y: near.y };
  let bestDistance = -1;
  let bestOffset = Infinity;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const value = distance[y * width + x]!;
      if (value < bestDistance) continue;
      const offset = Math.hypot(x - near.x, y - near.y);
      if (value > bestDistance || offset < bestOffset) {
        best = { x, y };
        bestDistance = value;
        bestOffset = offset;
      }
    }
  }
  return { point: best, radius: Math.max(1, bestDistance) };
}

// Two-pass 3-4 chamfer distance to the nearest background pixel, in pixels. Pixels outside the
// patch count as background.
function chamferDistance(mask: Uint8Array, width: number, height: number): Float32Array {
  const far = 1e6;
  const distance = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i += 1) distance[i] = mask[i] ? far : 0;

  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const index = y * width + x;
      if (distance[index] === 0) continue;
      const left = x > 0 ? distance[index - 1]! : 0;
      const up = y > 0 ? distance[index - width]! : 0;
      const upLeft = x > 0 && y > 0 ? distance[index - width - 1]! : 0;
      const upRight = x < width - 1 && y > 0 ? distance[index - width + 1]! : 0;
      distance[index] = Math.min(distance[index]!, left + 3, up + 3, upLeft + 4, upRight + 4);
    }
  }
  for (let y = height - 1; y >= 0; y -= 1) {
    for (let x = width - 1; x >= 0; x -= 1) {
      const index = y * width + x;
      if (distance[index] === 0) continue;
      const right = x < width - 1 ? distance[index + 1]! : 0;
      const down = y < height - 1 ? distance[index + width]! : 0;
      const downRight = x < width - 1 && y < height - 1 ? distance[index + width + 1]! : 0;
      const downLeft = x > 0 && y < height - 1 ? distance[index + width - 1]! : 0;
      distance[index] = Math.min(distance[index]!, right + 3, down + 3, downRight + 4, downLeft + 4);
    }
  }
  for (let i = 0; i < distance.length; i += 1) distance[i] = distance[i]! / 3;
  return distance;
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
