import type { DigitStyle } from '@metervision/protocol';
import type { RasterImage } from '../decode.ts';
import { histogramOf, otsuThreshold, percentile } from './threshold.ts';

/** A wheel window as ink (1) and background (0), whatever the printed polarity. */
export interface InkImage {
  ink: Uint8Array;
  width: number;
  height: number;
  /** Polarity that was used: given by the layout or, for `auto`, detected. */
  style: Exclude<DigitStyle, 'auto'>;
  /** Distance between the ink and background class means after contrast stretching, 0-255. */
  separation: number;
}

// Contrast is stretched between these shares of the histogram, so a few specular or black
// pixels do not decide the scale.
const LOW_SHARE = 0.02;
const HIGH_SHARE = 0.98;

// Background is estimated with a max filter reaching this share of the window width to each
// side, so the filter reaches wheel surface beside even the widest bar of a digit. Up and down it
// reaches this share of the window height only, so the estimate follows the wheel's curvature,
// whose shading darkens the rows near the window's top and bottom edges steeply. The result is
// smoothed over the same rows.
const BACKGROUND_RADIUS_X_SHARE = 0.4;
const BACKGROUND_RADIUS_Y_SHARE = 0.03;

/**
 * Turns a greyscale wheel window into ink and background, in five steps.
 * - Orient the window so the ink is dark. Light-on-dark digits are inverted. With `auto` the
 *   minority class of a first Otsu split is the ink, because strokes cover less than half of a
 *   digit's window.
 * - Smooth sensor noise with a 3x3 mean.
 * - Flatten the background: a wheel's curvature and the light falling off towards its edges would
 *   otherwise turn whole rows into ink, and take the digit parts there with them.
 * - Stretch the contrast between the 2nd and 98th percentile.
 * - Threshold with Otsu's level chosen for this window alone.
 */
export function binarizeWheel(grey: RasterImage, style: DigitStyle): InkImage {
  const { width, height } = grey;
  const resolved = style !== 'auto' ? style : detectStyle(grey.data);
  const oriented = resolved === 'light-on-dark' ? invert(grey.data) : grey.data;
  // A 3x3 mean takes the edge off sensor noise, whose specks would otherwise bridge glyphs and
  // frame, and keeps single bright specks from raising the background estimate.
  const smooth = toBytes(boxBlur(oriented, width, height, 1));
  const radiusX = Math.max(2, Math.round(BACKGROUND_RADIUS_X_SHARE * width));
  const radiusY = Math.max(1, Math.round(BACKGROUND_RADIUS_Y_SHARE * height));
  const stretched = stretch(flattenBackground(smooth, width, height, radiusX, radiusY));

  const threshold = otsuThreshold(histogramOf(stretched));
  const ink = new Uint8Array(stretched.length);
  let inkCount = 0;
  let inkSum = 0;
  let backgroundSum = 0;
  for (let i = 0; i < stretched.length; i += 1) {
    const value = stretched[i]!;
    if (value <= threshold) {
      ink[i] = 1;
      inkCount += 1;
      inkSum += value;
    } else {
      backgroundSum += value;
    }
  }
  const backgroundCount = stretched.length - inkCount;
  const separation = inkCount > 0 && backgroundCount > 0 ? backgroundSum / backgroundCount - inkSum / inkCount : 0;
  return { ink, width, height, style: resolved, separation };
}

function detectStyle(data: Uint8Array): Exclude<DigitStyle, 'auto'> {
  const stretched = stretch(data);
  const threshold = otsuThreshold(histogramOf(stretched));
  let light = 0;
  for (let i = 0; i < stretched.length; i += 1) if (stretched[i]! > threshold) light += 1;
  return light < stretched.length - light ? 'light-on-dark' : 'dark-on-light';
}

function invert(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += 1) out[i] = 255 - data[i]!;
  return out;
}

function stretch(data: Uint8Array): Uint8Array {
  const histogram = histogramOf(data);
  const low = percentile(histogram, LOW_SHARE);
  const high = Math.max(low + 1, percentile(histogram, HIGH_SHARE));
  const table = new Uint8Array(256);
  for (let level = 0; level < 256; level += 1) table[level] = Math.max(0, Math.min(255, Math.round(((level - low) * 255) / (high - low))));
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += 1) out[i] = table[data[i]!]!;
  return out;
}

function toBytes(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += 1) out[i] = Math.round(data[i]!);
  return out;
}

// Divides by the local background (max filter, then box blur) so dark ink on an unevenly lit
// background becomes dark ink on even white.
function flattenBackground(data: Uint8Array, width: number, height: number, radiusX: number, radiusY: number): Uint8Array {
  const background = boxBlur(maxFilter(data, width, height, radiusX, radiusY), width, height, radiusY);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += 1) out[i] = Math.min(255, Math.round((255 * data[i]!) / Math.max(1, background[i]!)));
  return out;
}

function maxFilter(data: Uint8Array, width: number, height: number, radiusX: number, radiusY: number): Uint8Array {
  const rows = new Uint8Array(data.length);
  for (let y = 0; y < height; y += 1) slidingMax(data, y * width, 1, width, radiusX, rows);
  const out = new Uint8Array(data.length);
  for (let x = 0; x < width; x += 1) slidingMax(rows, x, width, height, radiusY, out);
  return out;
}

// Maximum over a window of `radius` either side along one line of `length` samples `stride` apart.
function slidingMax(source: Uint8Array, start: number, stride: number, length: number, radius: number, target: Uint8Array): void {
  for (let i = 0; i < length; i += 1) {
    let max = 0;
    const from = i - radius < 0 ? 0 : i - radius;
    const to = i + radius >= length ? length - 1 : i + radius;
    for (let j = from; j <= to; j += 1) {
      const value = source[start + j * stride]!;
      if (value > max) max = value;
    }
    target[start + i * stride] = max;
  }
}

function boxBlur(data: Uint8Array | Float32Array, width: number, height: number, radius: number): Float32Array {
  const rows = new Float32Array(data.length);
  for (let y = 0; y < height; y += 1) slidingMean(data, y * width, 1, width, radius, rows);
  const out = new Float32Array(data.length);
  for (let x = 0; x < width; x += 1) slidingMean(rows, x, width, height, radius, out);
  return out;
}

// Mean over a window of `radius` either side (clipped at the ends) with a running sum.
function slidingMean(source: Uint8Array | Float32Array, start: number, stride: number, length: number, radius: number, target: Float32Array): void {
  let sum = 0;
  let count = 0;
  for (let j = 0; j < Math.min(radius, length); j += 1) {
    sum += source[start + j * stride]!;
    count += 1;
  }
  for (let i = 0; i < length; i += 1) {
    const entering = i + radius;
    const leaving = i - radius - 1;
    if (entering < length) {
      sum += source[start + entering * stride]!;
      count += 1;
    }
    if (leaving >= 0) {
      sum -= source[start + leaving * stride]!;
      count -= 1;
    }
    target[start + i * stride] = sum / count;
  }
}
