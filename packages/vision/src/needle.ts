import type { PointerRoi } from '@metervision/protocol';
import type { RasterImage } from './decode.ts';
import { labelComponents } from './digits/glyphs.ts';

// Needle pixels are at least half as strong as the strongest 2 % of the patch (dim photos show a
// red needle as a faint tint) and never weaker than MIN_STRENGTH.
const MIN_STRENGTH = 12;
const STRONG_SHARE = 0.02;
// The needle blob must cover at least this share of the ROI.
const MIN_NEEDLE_SHARE = 0.01;
/** Needle-coloured pixels of a dial patch and the hub they turn about, in patch pixels. */
export interface NeedleMask {
  /** Needle strength above the threshold per pixel, 0 elsewhere. */
  weights: Float32Array;
  hub: { x: number; y: number };
  hubRadius: number;
}

/**
 * Finds the needle-coloured pixels of a dial patch and the hub: the layout's `centre`, or else the
 * thickest point of the needle-coloured blob nearest the ROI centre. Null when no blob is large
 * enough to be a needle.
 */
export function findNeedleMask(patch: RasterImage, roi: PointerRoi): NeedleMask | null {
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

