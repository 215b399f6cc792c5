import { describe, expect, it } from 'vitest';
import { syntheticWheelWindows } from '../testing/wheel-windows.ts';
import { findGlyphBands } from './glyphs.ts';
import { cutOf, estimateDigitGeometry, phaseOf } from './phase.ts';

async function wheelWindows(value: number, style: 'dark-on-light' | 'light-on-dark' = 'dark-on-light') {
  return syntheticWheelWindows({ value, style });
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

  it('keeps digit parts at shaded edges', async () => {
    // The last wheel is at 1170.46: the bottom of the 0 and the top of the 1 reach the window's
    // edges, where the wheel's shading is darkest.
    const last = (await wheelWindows(1170.46))[4]!;
    const [upper, lower] = last.glyphs.bands;

    expect(last.glyphs.bands).toHaveLength(2);
    expect(upper!.top).toBeLessThanOrEqual(1);
    expect(lower!.bottom).toBeGreaterThanOrEqual(last.ink.height - 2);
  });

  it('drops the frame seen at the edges', () => {
    // A frame bracket along the left and top edges, and a digit-sized blob in the middle.
    const [width, height] = [40, 60];
    const ink = new Uint8Array(width * height);
    for (let x = 0; x < 20; x += 1) ink[x] = ink[width + x] = 1;
    for (let y = 0; y < 30; y += 1) ink[y * width] = ink[y * width + 1] = 1;
    for (let y = 15; y < 45; y += 1) for (let x = 14; x < 26; x += 1) ink[y * width + x] = 1;

    const { bands } = findGlyphBands({ ink, width, height, style: 'dark-on-light', separation: 200 });

    expect(bands).toHaveLength(1);
    expect(bands[0]).toMatchObject({ top: 15, bottom: 44, left: 14, right: 25 });
  });
});
