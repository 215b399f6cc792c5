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

// Background is estimated with a max filter of this radius (share of the window height), wider
// than any stroke, then smoothed with a box of the same radius.
const BACKGROUND_RADIUS_SHARE = 0.12;

/**
 * Turns a greyscale wheel window into ink and background. The window is oriented so the ink is
 * dark (light-on-dark digits are inverted; with `auto` the minority class of a first Otsu split is
 * the ink, because strokes cover less than half of a digit's window), the background is flattened
 * (a wheel's curvature and the light falling off towards its edges would otherwise turn whole rows
 * into ink), sensor noise is smoothed with a 3x3 mean, the contrast is stretched between the 2nd and 98th percentile, and Otsu's threshold
 * is chosen for this window alone.
 */
export function binarizeWheel(grey: RasterImage, style: DigitStyle): InkImage {
  const resolved = style !== 'auto' ? style : detectStyle(grey.data);
  const oriented = resolved === 'light-on-dark' ? Uint8Array.from(grey.data, (value) => 255 - value) : grey.data;
  const radius = Math.max(2, Math.round(BACKGROUND_RADIUS_SHARE * grey.height));
  const flat = flattenBackground(oriented, grey.width, grey.height, radius);
  // A 3x3 mean takes the edge off sensor noise, whose specks would otherwise bridge glyphs and frame.
  const smooth = Uint8Array.from(boxBlur(flat, grey.width, grey.height, 1), (value) => Math.round(value));
  const stretched = stretch(smooth);

  const threshold = otsuThreshold(histogramOf(stretched));
  const ink = new Uint8Array(stretched.length);
  let inkCount = 0;
  let inkSum = 0;
  let backgroundSum = 0;
  for (let i = 0; i < stretched.length; i += 1) {
    if (stretched[i]! <= threshold) {
      ink[i] = 1;
      inkCount += 1;
      inkSum += stretched[i]!;
    } else {
      backgroundSum += stretched[i]!;
    }
  }
  const backgroundCount = stretched.length - inkCount;
  const separation = inkCount > 0 && backgroundCount > 0 ? backgroundSum / backgroundCount - inkSum / inkCount : 0;
  return { ink, width: grey.width, height: grey.height, style: resolved, separation };
}

function detectStyle(data: Uint8Array): Exclude<DigitStyle, 'auto'> {
  const stretched = stretch(data);
  const threshold = otsuThreshold(histogramOf(stretched));
  let light = 0;
  for (const value of stretched) if (value > threshold) light += 1;
  return light < stretched.length - light ? 'light-on-dark' : 'dark-on-light';
}

function stretch(data: Uint8Array): Uint8Array {
  const histogram = histogramOf(data);
  const low = percentile(histogram, LOW_SHARE);
  const high = Math.max(low + 1, percentile(histogram, HIGH_SHARE));
  return Uint8Array.from(data, (value) => Math.max(0, Math.min(255, Math.round(((value - low) * 255) / (high - low)))));
}

// Divides by the local background (max filter, then box blur) so dark ink on an unevenly lit
// background becomes dark ink on even white.
function flattenBackground(data: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const background = boxBlur(maxFilter(data, width, height, radius), width, height, radius);
  return Uint8Array.from(data, (value, index) => Math.min(255, Math.round((255 * value) / Math.max(1, background[index]!))));
}

function maxFilter(data: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const rows = new Uint8Array(data.length);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let max = 0;
      for (let dx = Math.max(0, x - radius); dx <= Math.min(width - 1, x + radius); dx += 1) max = Math.max(max, data[y * width + dx]!);
      rows[y * width + x] = max;
    }
  }
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let max = 0;
      for (let dy = Math.max(0, y - radius); dy <= Math.min(height - 1, y + radius); dy += 1) max = Math.max(max, rows[dy * width + x]!);
      out[y * width + x] = max;
    }
  }
  return out;
}

function boxBlur(data: Uint8Array, width: number, height: number, radius: number): Float32Array {
  const rows = new Float32Array(data.length);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let sum = 0;
      let count = 0;
      for (let dx = Math.max(0, x - radius); dx <= Math.min(width - 1, x + radius); dx += 1) {
        sum += data[y * width + dx]!;
        count += 1;
      }
      rows[y * width + x] = sum / count;
    }
  }
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let sum = 0;
      let count = 0;
      for (let dy = Math.max(0, y - radius); dy <= Math.min(height - 1, y + radius); dy += 1) {
        sum += rows[dy * width + x]!;
        count += 1;
      }
      out[y * width + x] = sum / count;
    }
  }
  return out;
}
