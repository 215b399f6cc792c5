import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { meterLayoutSchema } from '@metervision/protocol';
import { InvalidOptionError } from '../errors.ts';
import { renderMeter } from './compose.ts';
import type { RenderOptions } from './options.ts';

interface Grey {
  data: Buffer;
  width: number;
  height: number;
}

async function grey(image: Buffer): Promise<Grey> {
  const { data, info } = await sharp(image).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function mean(image: Grey): number {
  let sum = 0;
  for (const value of image.data) sum += value;
  return sum / image.data.length;
}

/** Variance of a 4-neighbour Laplacian: high for sharp edges, low for blurred ones. */
function laplacianVariance(image: Grey): number {
  const values: number[] = [];
  const at = (x: number, y: number) => image.data[y * image.width + x] ?? 0;
  for (let y = 1; y < image.height - 1; y += 1) {
    for (let x = 1; x < image.width - 1; x += 1) {
      values.push(at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1) - 4 * at(x, y));
    }
  }
  const average = values.reduce((sum, value) => sum + value, 0) / values.length;
  return values.reduce((sum, value) => sum + (value - average) ** 2, 0) / values.length;
}

function saturatedShare(image: Grey): number {
  let count = 0;
  for (const value of image.data) if (value >= 250) count += 1;
  return count / image.data.length;
}

const base: RenderOptions = { value: 530.0708, format: 'png' };

describe('renderMeter', () => {
  it('returns the truth with the image', async () => {
    const rendered = await renderMeter({ value: 530.0708 });
    expect(rendered.text).toBe('00530.0708');
    expect(rendered.value).toBe(530.0708);
    expect(rendered.contentType).toBe('image/jpeg');
    expect(rendered.image.subarray(0, 2).toString('hex')).toBe('ffd8');
  });

  it('encodes PNG on request', async () => {
    const rendered = await renderMeter(base);
    expect(rendered.contentType).toBe('image/png');
    expect(rendered.image.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it.each<RenderOptions>([
    { value: 530.0708 },
    { value: 12345678, wheels: 8, pointers: 0, width: 1280, height: 720 },
    { value: 42.123, wheels: 8, decimalWheels: 3, pointers: 1, width: 160, height: 120 },
    { value: 7.5, wheels: 6, pointers: 2, width: 500, height: 900, rotationDegrees: 10 },
  ])('keeps every ROI inside the image ($width x $height)', async (options) => {
    const { layout, image } = await renderMeter(options);
    const parsed = meterLayoutSchema.parse(layout);
    const { width, height } = await sharp(image).metadata();
    expect(parsed.frame).toEqual({ width, height });

    const rois = [...parsed.digits, ...parsed.decimalDigits, ...parsed.pointers, ...(parsed.alignment?.marks ?? [])];
    for (const roi of rois) {
      expect(roi.x, roi.name).toBeGreaterThanOrEqual(0);
      expect(roi.y, roi.name).toBeGreaterThanOrEqual(0);
      expect(roi.x + roi.width, roi.name).toBeLessThanOrEqual(width ?? 0);
      expect(roi.y + roi.height, roi.name).toBeLessThanOrEqual(height ?? 0);
    }
  });

  it('describes wheels, dials and marks', async () => {
    const { layout } = await renderMeter({ value: 530.07, wheels: 8, decimalWheels: 2, pointers: 2, style: 'light-on-dark' });
    const parsed = meterLayoutSchema.parse(layout);
    expect(parsed.digits.map((roi) => roi.name)).toEqual(['dig1', 'dig2', 'dig3', 'dig4', 'dig5', 'dig6']);
    expect(parsed.decimalDigits).toHaveLength(2);
    expect(parsed.pointers.map((roi) => roi.factor)).toEqual([0.001, 0.0001]);
    expect(parsed.digitStyle).toBe('light-on-dark');
    expect(parsed.alignment?.marks).toHaveLength(2);
  });

  it('declares the wheel drive it renders', async () => {
    const rolling = await renderMeter({ value: 531.82 });
    const snapped = await renderMeter({ value: 531.82, rolling: false });

    expect(rolling.layout.wheelDrive).toBe('continuous');
    expect(snapped.layout.wheelDrive).toBe('intermittent');
  });

  it('ships mark images as PNG data URLs', async () => {
    const { layout } = await renderMeter(base);
    for (const mark of meterLayoutSchema.parse(layout).alignment?.marks ?? []) {
      expect(mark.image.startsWith('data:image/png;base64,')).toBe(true);
      const png = Buffer.from(mark.image.slice('data:image/png;base64,'.length), 'base64');
      const { width, height } = await sharp(png).metadata();
      expect({ width, height }).toEqual({ width: mark.width, height: mark.height });
    }
  });

  it('repeats the same bytes for a seed', async () => {
    const options: RenderOptions = { value: 42.5, noise: 12, glare: 0.6, blur: 1, rotationDegrees: 3, seed: 99 };
    const first = await renderMeter(options);
    const second = await renderMeter(options);
    const otherSeed = await renderMeter({ ...options, seed: 100 });
    expect(first.image.equals(second.image)).toBe(true);
    expect(first.image.equals(otherSeed.image)).toBe(false);
  });

  it('darkens with lower brightness', async () => {
    const normal = mean(await grey((await renderMeter(base)).image));
    const dark = mean(await grey((await renderMeter({ ...base, brightness: 0.4 })).image));
    expect(dark).toBeLessThan(normal * 0.5);
  });

  it('saturates with higher brightness', async () => {
    const normal = saturatedShare(await grey((await renderMeter(base)).image));
    const bright = saturatedShare(await grey((await renderMeter({ ...base, brightness: 1.8 })).image));
    expect(bright).toBeGreaterThan(normal + 0.3);
  });

  it('blurs away edge energy', async () => {
    const sharp = laplacianVariance(await grey((await renderMeter(base)).image));
    const blurred = laplacianVariance(await grey((await renderMeter({ ...base, blur: 2.5 })).image));
    expect(blurred).toBeLessThan(sharp * 0.2);
  });

  it('adds noise of the given size', async () => {
    const clean = laplacianVariance(await grey((await renderMeter(base)).image));
    const noisy = laplacianVariance(await grey((await renderMeter({ ...base, noise: 15 })).image));
    expect(noisy).toBeGreaterThan(clean * 2);
  });

  it('puts a saturated glare spot where asked', async () => {
    const centre = { x: 320, y: 300 };
    const image = await grey((await renderMeter({ ...base, glare: 1, glareCentre: centre })).image);
    expect(image.data[centre.y * image.width + centre.x]).toBeGreaterThanOrEqual(250);
    const plain = await grey((await renderMeter(base)).image);
    expect(saturatedShare(image)).toBeGreaterThan(saturatedShare(plain));
  });

  it('rotates content clockwise about the centre', async () => {
    const degrees = 8;
    const { layout, image } = await renderMeter({ ...base, rotationDegrees: degrees });
    const mark = meterLayoutSchema.parse(layout).alignment?.marks[0];
    if (!mark) throw new Error('layout has no mark');
    const picture = await grey(image);

    const radians = (degrees * Math.PI) / 180;
    const dx = mark.x + mark.width / 2 - picture.width / 2;
    const dy = mark.y + mark.height / 2 - picture.height / 2;
    const expectedX = picture.width / 2 + dx * Math.cos(radians) - dy * Math.sin(radians);
    const expectedY = picture.height / 2 + dx * Math.sin(radians) + dy * Math.cos(radians);

    let count = 0;
    let sumX = 0;
    let sumY = 0;
    for (let y = Math.floor(expectedY - 12); y <= expectedY + 12; y += 1) {
      for (let x = Math.floor(expectedX - 12); x <= expectedX + 12; x += 1) {
        if (Math.hypot(x + 0.5 - expectedX, y + 0.5 - expectedY) > 12) continue;
        if ((picture.data[y * picture.width + x] ?? 255) > 80) continue;
        count += 1;
        sumX += x + 0.5;
        sumY += y + 0.5;
      }
    }
    expect(count).toBeGreaterThan(100);
    expect(sumX / count).toBeCloseTo(expectedX, 0);
    expect(sumY / count).toBeCloseTo(expectedY, 0);
  });

  it('draws light digits on dark wheels', async () => {
    const rendered = await renderMeter({ ...base, style: 'light-on-dark' });
    const wheel = meterLayoutSchema.parse(rendered.layout).digits[0];
    if (!wheel) throw new Error('layout has no wheel');
    const crop = await sharp(rendered.image).extract({ left: wheel.x, top: wheel.y, width: wheel.width, height: wheel.height }).toBuffer();
    expect(mean(await grey(crop))).toBeLessThan(100);
  });

  it('rejects a value too large for the wheels', async () => {
    const error = await renderMeter({ value: 123456 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).issues[0]).toMatchObject({ path: 'value', received: 123456 });
    expect((error as Error).message).toContain('value = 123456');
  });

  it('names an invalid knob and its value', async () => {
    const error = await renderMeter({ value: 1, wheels: 9, blur: 0.1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionError);
    const paths = (error as InvalidOptionError).issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['wheels', 'blur']));
  });
});
