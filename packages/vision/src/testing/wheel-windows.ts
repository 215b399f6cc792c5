import { renderMeter, type RenderOptions } from '@metervision/firmware-sim';
import { sampleRegion } from '../crop.ts';
import { decodeImage, toGrey } from '../decode.ts';
import { binarizeWheel, type InkImage } from '../digits/binarize.ts';
import { findGlyphBands, type WheelGlyphs } from '../digits/glyphs.ts';
import { IDENTITY } from '../transform.ts';

/** One binarised wheel window with its glyph bands, and the wheel's true position in [0, 10). */
export interface WheelWindow {
  ink: InkImage;
  glyphs: WheelGlyphs;
  position: number;
}

/**
 * Renders a synthetic meter (firmware-sim, upright, no dials unless asked) and prepares its wheel
 * windows as `readWheels` does, for tests of the digit stages.
 */
export async function syntheticWheelWindows(options: RenderOptions): Promise<WheelWindow[]> {
  const rendered = await renderMeter({ pointers: 0, seed: 5, ...options });
  const grey = toGrey(await decodeImage(rendered.image));
  return rendered.layout.digits!.map((roi, index) => {
    const ink = binarizeWheel(sampleRegion(grey, IDENTITY, roi, Math.max(1, 72 / roi.height)), 'auto');
    return { ink, glyphs: findGlyphBands(ink), position: rendered.wheelPositions[index]! };
  });
}
