import type { GlyphBitmap } from './shape.ts';

/** 8-bit greyscale pixels, row-major. */
export interface GreyPixels {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Scales glyphs so a whole digit is `digitHeight` pixels high and lays them out left to right,
 * black on white, bottoms aligned for glyphs cut at the top and tops aligned otherwise. Returns the
 * image and the x range of each glyph. Small, uniform glyphs keep tesseract fast: a 24 px digit
 * takes about 1.5 ms against 4 ms at its window size.
 */
export function renderGlyphRow(glyphs: { bitmap: GlyphBitmap; visible: number; cutAtTop: boolean }[], sourceDigitHeight: number, digitHeight: number, gap: number, margin: number): { image: GreyPixels; spans: [number, number][] } {
  const scale = digitHeight / sourceDigitHeight;
  const sizes = glyphs.map(({ bitmap }) => ({ width: Math.max(1, Math.round(bitmap.width * scale)), height: Math.max(1, Math.min(digitHeight, Math.round(bitmap.height * scale))) }));
  const width = sizes.reduce((sum, size) => sum + size.width, 0) + gap * Math.max(0, glyphs.length - 1) + 2 * margin;
  const height = digitHeight + 2 * margin;
  const data = new Uint8Array(width * height).fill(255);
  const spans: [number, number][] = [];

  let left = margin;
  glyphs.forEach(({ bitmap, cutAtTop }, index) => {
    const size = sizes[index]!;
    const top = margin + (cutAtTop ? digitHeight - size.height : 0);
    for (let y = 0; y < size.height; y += 1) {
      const sourceY = Math.min(bitmap.height - 1, Math.floor(((y + 0.5) * bitmap.height) / size.height));
      for (let x = 0; x < size.width; x += 1) {
        const sourceX = Math.min(bitmap.width - 1, Math.floor(((x + 0.5) * bitmap.width) / size.width));
        if (bitmap.ink[sourceY * bitmap.width + sourceX] === 1) data[(top + y) * width + left + x] = 0;
      }
    }
    spans.push([left, left + size.width - 1]);
    left += size.width + gap;
  });
  return { image: { data, width, height }, spans };
}

/** Stacks images vertically, left-aligned, on white with `gap` pixels between them; returns each one's top. */
export function stackRows(images: GreyPixels[], gap: number): { image: GreyPixels; tops: number[] } {
  const width = Math.max(...images.map((image) => image.width));
  const height = images.reduce((sum, image) => sum + image.height, 0) + gap * (images.length - 1);
  const data = new Uint8Array(width * height).fill(255);
  const tops: number[] = [];
  let top = 0;
  for (const image of images) {
    for (let y = 0; y < image.height; y += 1) data.set(image.data.subarray(y * image.width, (y + 1) * image.width), (top + y) * width);
    tops.push(top);
    top += image.height + gap;
  }
  return { image: { data, width, height }, tops };
}

/** Encodes greyscale pixels as binary PGM, which tesseract's image reader takes without decoding cost. */
export function encodePgm(image: GreyPixels): Buffer {
  return Buffer.concat([Buffer.from(`P5\n${image.width} ${image.height}\n255\n`, 'ascii'), image.data]);
}
