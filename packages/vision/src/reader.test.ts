import sharp from 'sharp';
import { renderMeter } from '@metervision/firmware-sim';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeterReader } from './reader.ts';
import { parseLayout } from './layout.ts';
import { VisionError } from './errors.ts';
import type { MeterLayout } from '@metervision/protocol';

let reader: MeterReader;
let layout: MeterLayout;
let photo: Buffer;

beforeAll(async () => {
  reader = await MeterReader.create({ workers: 1, logger: pino({ level: 'silent' }) });
  layout = await parseLayout({ digits: [{ name: 'dig1', x: 10, y: 10, width: 40, height: 60 }] });
  photo = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } }).jpeg().toBuffer();
});

afterAll(async () => {
  await reader?.close();
});

async function readError(image: Buffer, withLayout: MeterLayout = layout): Promise<VisionError> {
  const error = await reader.read(image, withLayout).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(VisionError);
  return error as VisionError;
}

describe('MeterReader.read errors', () => {
  it('rejects a truncated JPEG', async () => {
    const error = await readError(photo.subarray(0, Math.floor(photo.length / 2)));
    expect(error.code).toBe('invalid_image');
    expect(error.message).toMatch(/corrupt image/);
  });

  it('rejects bytes that are no image', async () => {
    const error = await readError(Buffer.from('meter reading: 530.07 m3\n'));
    expect(error.code).toBe('invalid_image');
    expect(error.message).toMatch(/not an image/);
  });

  it('rejects an ROI outside the image', async () => {
    const wide = await parseLayout({ digits: [{ name: 'dig3', x: 300, y: 10, width: 40, height: 60 }] });
    const error = await readError(photo, wide);
    expect(error.code).toBe('roi_outside_image');
    expect(error.details).toMatchObject({ roi: 'dig3', imageWidth: 320, imageHeight: 240 });
  });

  it('rejects an image of another frame size', async () => {
    const framed = await parseLayout({ frame: { width: 640, height: 480 }, digits: [{ name: 'dig1', x: 10, y: 10, width: 40, height: 60 }] });
    const error = await readError(photo, framed);
    expect(error.code).toBe('frame_mismatch');
    expect(error.details).toMatchObject({ imageWidth: 320, frameWidth: 640 });
  });

  it('rejects an image over 20 MB', async () => {
    const error = await readError(Buffer.alloc(20_000_001));
    expect(error.code).toBe('image_too_large');
  });

  it('reads after a failed read', async () => {
    await readError(Buffer.from('not an image'));
    const result = await reader.read(photo, layout);
    expect(result.digits).toHaveLength(1);
    expect(result.value).toBeNull();
  });
});

describe('MeterReader.read', () => {
  it('reads a synthetic meter', async () => {
    const rendered = await renderMeter({ value: 530.07085, seed: 11 });
    const result = await reader.read(rendered.image, await parseLayout(rendered.layout));
    expect(result.text).toBe(rendered.text);
    expect(result.confidence).toBeGreaterThanOrEqual(0.6);
    expect(result.lowConfidenceReason).toBeUndefined();
    expect(result.alignment?.marks).toHaveLength(2);
    expect(result.quality.brightness).toBeGreaterThan(40);
  });

  it.each([
    { value: 321.31588, seed: 3 },
    { value: 321.39214, seed: 4 },
    { value: 4711.5, seed: 2, pointers: 0 },
    { value: 1299.55005, seed: 6 },
  ])('reads wheels between digits ($value)', async (options) => {
    const rendered = await renderMeter(options);
    const result = await reader.read(rendered.image, await parseLayout(rendered.layout));

    expect(result.lowConfidenceReason).toBeUndefined();
    expect(result.text).toBe(rendered.text);
  });

  it('flags a counter blanked by glare', async () => {
    const rendered = await renderMeter({ value: 4711.3, seed: 2, glare: 1, glareCentre: { x: 300, y: 120 }, glareRadius: 0.08 });
    const result = await reader.read(rendered.image, await parseLayout(rendered.layout));

    expect(result.confidence).toBeLessThan(0.6);
    expect(result.lowConfidenceReason).toContain('no digit found in wheel dig3');
  });

  it('fails alignment when the marks are covered', async () => {
    const rendered = await renderMeter({ value: 12.5, seed: 11 });
    const layout = await parseLayout(rendered.layout);
    const mark = layout.alignment!.marks[0]!;
    const covered = await sharp(rendered.image)
      .composite([{ input: { create: { width: mark.width + 60, height: mark.height + 60, channels: 3, background: '#777777' } }, left: mark.x - 30, top: mark.y - 30 }])
      .jpeg()
      .toBuffer();
    const error = await readError(covered, layout);
    expect(error.code).toBe('alignment_failed');
    expect(error.details).toMatchObject({ mark: mark.name });
    expect(error.details.similarity).toBeLessThan(0.6);
  });
});

describe('MeterReader.close', () => {
  it('rejects reads after close', async () => {
    const closing = await MeterReader.create({ workers: 1 });
    await closing.close();
    const error = await closing.read(photo, layout).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'reader_closed' });
  });
});

