import sharp from 'sharp';

/** Encodes a small grey JPEG of `width` × `height` pixels, for capture-source tests. */
export function smallJpeg(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 120, g: 130, b: 140 } } })
    .jpeg({ quality: 80 })
    .toBuffer();
}
