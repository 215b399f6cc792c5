import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { assessImageQuality, measureImageQuality, QUALITY_THRESHOLDS } from './quality.ts';

// A 320x240 test card: black bars on mid grey, sharp edges.
async function testCard(options: { brightness?: number; blur?: number; glare?: boolean; bars?: number } = {}): Promise<Buffer> {
  const bars = Array.from({ length: options.bars ?? 8 }, (_, index) => `<rect x="${20 + index * 36}" y="40" width="18" height="160" fill="#101010"/>`).join('');
  const glare = options.glare ? '<circle cx="160" cy="120" r="70" fill="#ffffff"/>' : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240"><rect width="320" height="240" fill="#a0a0a0"/>${bars}${glare}</svg>`;
  let image = sharp(Buffer.from(svg)).linear(options.brightness ?? 1, 0);
  if (options.blur) image = sharp(await image.png().toBuffer()).blur(options.blur);
  return image.jpeg({ quality: 90 }).toBuffer();
}

const failedCodes = async (image: Buffer) => assessImageQuality(await measureImageQuality(image)).map((issue) => issue.code);

describe('measureImageQuality', () => {
  it('passes a well exposed sharp image', async () => {
    expect(await failedCodes(await testCard())).toEqual([]);
  });

  it('rates a dark image too dark', async () => {
    const codes = await failedCodes(await testCard({ brightness: 0.2 }));
    expect(codes).toContain('too_dark');
  });

  it('rates a bright image too bright', async () => {
    const codes = await failedCodes(await testCard({ brightness: 1.45, bars: 2 }));
    expect(codes).toContain('too_bright');
  });

  it('rates a defocused image blurred', async () => {
    const sharpCard = await measureImageQuality(await testCard());
    const blurred = await measureImageQuality(await testCard({ blur: 6 }));
    expect(blurred.sharpness).toBeLessThan(sharpCard.sharpness / 10);
    expect(await failedCodes(await testCard({ blur: 6 }))).toContain('blurred');
  });

  it('rates a saturated spot as glare', async () => {
    const quality = await measureImageQuality(await testCard({ glare: true }));
    expect(quality.glare).toBeGreaterThan(0.15);
    expect(await failedCodes(await testCard({ glare: true }))).toContain('glare');
  });

  it('rejects bytes that are no image', async () => {
    await expect(measureImageQuality(Buffer.from('no image here'))).rejects.toMatchObject({ code: 'invalid_image' });
  });
});

describe('QUALITY_THRESHOLDS', () => {
  it('gives advice for every check', () => {
    for (const threshold of QUALITY_THRESHOLDS) expect(threshold.advice).toMatch(/: .{10,}/);
    expect(new Set(QUALITY_THRESHOLDS.map((threshold) => threshold.code)).size).toBe(QUALITY_THRESHOLDS.length);
  });
});
