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

/**
 * Turns a greyscale wheel window into ink and background: contrast stretching between the 2nd
 * and 98th percentile, then Otsu's threshold chosen for this window alone. With `auto`, the
 * minority class is the ink, because strokes cover less than half of a digit's window.
 */
export function binarizeWheel(grey: RasterImage, style: DigitStyle): InkImage {
  const histogram = histogramOf(grey.data);
  const low = percentile(histogram, LOW_SHARE);
  const high = Math.max(low + 1, percentile(histogram, HIGH_SHARE));
  const stretched = new Uint8Array(grey.data.length);
  for (let i = 0; i < grey.data.length; i += 1) {
    stretched[i] = Math.max(0, Math.min(255, Math.round(((grey.data[i]! - low) * 255) / (high - low))));
  }

  const threshold = otsuThreshold(histogramOf(stretched));
  let light = 0;
  let lightSum = 0;
  let darkSum = 0;
  for (const value of stretched) {
    if (value > threshold) {
      light += 1;
      lightSum += value;
    } else {
      darkSum += value;
    }
  }
  const dark = stretched.length - light;
  const resolved = style !== 'auto' ? style : light < dark ? 'light-on-dark' : 'dark-on-light';
  const separation = light > 0 && dark > 0 ? lightSum / light - darkSum / dark : 0;

  const ink = new Uint8Array(stretched.length);
  for (let i = 0; i < stretched.length; i += 1) {
    const isLight = stretched[i]! > threshold;
    ink[i] = (resolved === 'light-on-dark') === isLight ? 1 : 0;
  }
  return { ink, width: grey.width, height: grey.height, style: resolved, separation };
}
