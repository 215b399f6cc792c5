import { describe, expect, it } from 'vitest';
import { syntheticWheelWindows } from '../testing/wheel-windows.ts';
import { extractBand } from './glyphs.ts';
import { estimateDigitGeometry } from './phase.ts';
import { readRollingWheel } from './rolling-wheel.ts';
import { matchTemplates } from './templates.ts';

// The templates do not contain the synthetic meter's stroke font, so these tests also show how
// they carry over to an unknown font.
async function wholeGlyphs(value: number) {
  const windows = await syntheticWheelWindows({ value });
  const { digitHeight } = estimateDigitGeometry(windows.map((window) => ({ bands: window.glyphs.bands, height: window.ink.height })));
  return windows.map((window) => ({ bitmap: extractBand(window.glyphs, window.glyphs.bands[0]!, window.ink.width), digitHeight }));
}

describe('matchTemplates', () => {
  it('names every whole digit', async () => {
    const glyphs = [...(await wholeGlyphs(1234)), ...(await wholeGlyphs(56789))];
    const named = glyphs.map(({ bitmap, digitHeight }) => matchTemplates(bitmap, 'none', 1, digitHeight)?.digit);

    expect(named).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('names every pair from two halves', async () => {
    const glyphs = [...(await wholeGlyphs(1234)), ...(await wholeGlyphs(56789))];
    const half = (digit: number, cut: 'top' | 'bottom') => {
      const { bitmap, digitHeight } = glyphs[digit]!;
      const rows = Math.round(bitmap.height / 2);
      const from = cut === 'top' ? bitmap.height - rows : 0;
      const ink = bitmap.ink.slice(from * bitmap.width, (from + rows) * bitmap.width);
      return matchTemplates({ ink, width: bitmap.width, height: rows }, cut, 0.5, digitHeight)!.scores;
    };

    // The lower half of d over the upper half of d + 1, as a wheel half-way between them shows.
    const read = Array.from({ length: 10 }, (_, digit) => {
      const upper = { cut: 'top' as const, visible: 0.5, phase: 0.5, scores: half(digit, 'top'), allowed: '0123456789', ocrDigit: null };
      const lower = { cut: 'bottom' as const, visible: 0.5, phase: -0.5, scores: half((digit + 1) % 10, 'bottom'), allowed: '0123456789', ocrDigit: null };
      return readRollingWheel('dig5', upper, lower, { checked: 4, agreed: 4 });
    });

    expect(read.map((reading) => reading.digit)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(read.filter((reading) => reading.confidence < 0.6).map((reading) => reading.note)).toEqual([]);
  });

  it('scores a plain bar as 1', () => {
    const width = 6;
    const height = 40;
    const bar = { ink: new Uint8Array(width * height).fill(1), width, height };

    expect(matchTemplates(bar, 'none', 1, height)?.digit).toBe(1);
    expect(matchTemplates(bar, 'top', 0.5, 2 * height)?.digit).toBe(1);
  });
});
