import { renderMeter } from '@metervision/firmware-sim';
import { describe, expect, it } from 'vitest';
import { sampleRegion } from '../crop.ts';
import { decodeImage, toGrey } from '../decode.ts';
import { IDENTITY } from '../transform.ts';
import { binarizeWheel } from './binarize.ts';
import { findGlyphBands } from './glyphs.ts';
import { cutOf, estimateDigitGeometry, phaseOf } from './phase.ts';

// Binarised wheel windows of a synthetic meter, as read-wheels prepares them.
async function wheelWindows(value: number, style: 'dark-on-light' | 'light-on-dark' = 'dark-on-light') {
  const rendered = await renderMeter({ value, pointers: 0, style, seed: 5 });
  const grey = toGrey(await decodeImage(rendered.image));
  return rendered.layout.digits!.map((roi) => {
    const ink = binarizeWheel(sampleRegion(grey, IDENTITY, roi, Math.max(1, 72 / roi.height)), 'auto');
    return { ink, glyphs: findGlyphBands(ink) };
  });
}

describe('findGlyphBands', () => {
  it('finds one whole digit per centred wheel', async () => {
    const windows = await wheelWindows(4711);
    expect(windows.map((window) => window.glyphs.bands.length)).toEqual([1, 1, 1, 1, 1]);
    const geometry = estimateDigitGeometry(windows.map((window) => ({ bands: window.glyphs.bands, height: window.ink.height })));
    for (const window of windows) {
      const band = window.glyphs.bands[0]!;
      expect(cutOf(band, window.glyphs.bands, window.ink.height, geometry)).toBe('none');
      expect(Math.abs(phaseOf(band, 'none', window.ink.height, geometry))).toBeLessThan(0.1);
    }
  });

  it('splits a half-rolled wheel into two cut bands', async () => {
    const windows = await wheelWindows(4711.5);
    const geometry = estimateDigitGeometry(windows.map((window) => ({ bands: window.glyphs.bands, height: window.ink.height })));
    const last = windows[4]!;
    expect(last.glyphs.bands).toHaveLength(2);

    const [upper, lower] = last.glyphs.bands as [never, never];
    expect(cutOf(upper, last.glyphs.bands, last.ink.height, geometry)).toBe('top');
    expect(cutOf(lower, last.glyphs.bands, last.ink.height, geometry)).toBe('bottom');
    expect(phaseOf(upper, 'top', last.ink.height, geometry)).toBeCloseTo(0.5, 0);
    expect(phaseOf(lower, 'bottom', last.ink.height, geometry)).toBeCloseTo(-0.5, 0);
  });

  it('detects light digits on dark wheels', async () => {
    const windows = await wheelWindows(4711, 'light-on-dark');
    expect(windows.every((window) => window.ink.style === 'light-on-dark')).toBe(true);
    expect(windows.map((window) => window.glyphs.bands.length)).toEqual([1, 1, 1, 1, 1]);
  });
});
