import { renderMeter } from '@metervision/firmware-sim';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { annotateImage } from './annotate.ts';
import { parseLayout } from './layout.ts';
import type { MeterReadResult } from './types.ts';

const result: MeterReadResult = {
  value: 530.0708,
  text: '00530.0708',
  digits: [0, 0, 5, 3, 0].map((value, index) => ({ name: `dig${index + 1}`, value, confidence: 0.9 })),
  decimalDigits: [],
  pointers: [0.7, 7.08, 0.8, 8.0].map((value, index) => ({ name: `ana${index + 1}`, value, confidence: 0.9 })),
  confidence: 0.9,
  quality: { brightness: 120, contrast: 50, sharpness: 300, glare: 0 },
  alignment: null,
  durationMs: 20,
};

async function pixelsOf(image: Buffer) {
  return sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
}

describe('annotateImage', () => {
  it('draws ROIs onto a same-size JPEG', async () => {
    const rendered = await renderMeter({ value: 530.0708, seed: 2 });
    const layout = await parseLayout(rendered.layout);
    const annotated = await annotateImage(rendered.image, layout, result);

    const metadata = await sharp(annotated).metadata();
    expect(metadata).toMatchObject({ format: 'jpeg', width: 640, height: 480 });

    // The top edge of the first digit ROI is drawn in green.
    const roi = layout.digits[0]!;
    const { data, info } = await pixelsOf(annotated);
    const at = (roi.y * info.width + roi.x + Math.floor(roi.width / 2)) * info.channels;
    expect(data[at + 1]!).toBeGreaterThan(150);
    expect(data[at]!).toBeLessThan(120);
  });

  it('draws a layout without a result', async () => {
    const rendered = await renderMeter({ value: 12.5, seed: 2, rotationDegrees: 5 });
    const layout = await parseLayout(rendered.layout);
    const annotated = await annotateImage(rendered.image, layout);
    expect((await sharp(annotated).metadata()).format).toBe('jpeg');
  });

  it('rejects bytes that are no image', async () => {
    const layout = await parseLayout({ digits: [{ name: 'dig1', x: 0, y: 0, width: 10, height: 10 }] });
    await expect(annotateImage(Buffer.from('not a jpeg'), layout)).rejects.toMatchObject({ code: 'invalid_image' });
  });
});
