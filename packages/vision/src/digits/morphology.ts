import type { GlyphBitmap } from './shape.ts';

/**
 * Morphological opening (erosion, then dilation) with a square of side 2·radius+1: removes
 * scratches, smears and spurs thinner than the square while bold strokes keep their shape.
 */
export function openGlyph(glyph: GlyphBitmap, radius: number): GlyphBitmap {
  if (radius <= 0) return glyph;
  return dilate(erode(glyph, radius), radius);
}

// Outside the glyph counts as ink for erosion, so strokes cut by the box edge are not eaten away.
function erode(glyph: GlyphBitmap, radius: number): GlyphBitmap {
  return sweep(glyph, radius, 1, (count, area) => count === area);
}

function dilate(glyph: GlyphBitmap, radius: number): GlyphBitmap {
  return sweep(glyph, radius, 0, (count) => count > 0);
}

// Separable box count: ink per horizontal window, then per vertical window of those sums.
function sweep(glyph: GlyphBitmap, radius: number, outside: 0 | 1, keep: (count: number, area: number) => boolean): GlyphBitmap {
  const { ink, width, height } = glyph;
  const side = 2 * radius + 1;
  const rows = new Uint16Array(width * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let count = 0;
      for (let dx = -radius; dx <= radius; dx += 1) {
        const nx = x + dx;
        count += nx < 0 || nx >= width ? outside : ink[y * width + nx]!;
      }
      rows[y * width + x] = count;
    }
  }

  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let count = 0;
      for (let dy = -radius; dy <= radius; dy += 1) {
        const ny = y + dy;
        count += ny < 0 || ny >= height ? outside * side : rows[ny * width + x]!;
      }
      out[y * width + x] = keep(count, side * side) ? 1 : 0;
    }
  }
  return { ink: out, width, height };
}
