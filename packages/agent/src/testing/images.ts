import sharp from 'sharp';

/** A small grey JPEG of `width` × `height`, for capture-source tests. */
export function smallJpeg(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 120, g: 130, b: 140 } } })
    .jpeg({ quality: 80 })
    .toBuffer();
}
