import { renderMeter } from '@metervision/firmware-sim';
import { describe, expect, it } from 'vitest';
import { alignToMarks } from './align.ts';
import { decodeImage, toGrey } from './decode.ts';
import { VisionError } from './errors.ts';
import { parseLayout } from './layout.ts';
import { layoutRotation } from './rotate.ts';
import { applyAffine } from './transform.ts';

async function aligned(rotationDegrees: number) {
  const rendered = await renderMeter({ value: 530.0708, rotationDegrees, seed: 3 });
  const layout = await parseLayout(rendered.layout);
  const grey = toGrey(await decodeImage(rendered.image));
  return { layout, ...(await alignToMarks(grey, layoutRotation(grey.width, grey.height, 0), layout.alignment!)) };
}

describe('alignToMarks', () => {
  it('finds the marks of an upright image', async () => {
    const { result } = await aligned(0);
    expect(result.marks.every((mark) => mark.similarity > 0.9)).toBe(true);
    expect(Math.abs(result.dx)).toBeLessThan(1);
    expect(Math.abs(result.angleDegrees)).toBeLessThan(0.5);
  });

  it.each([-10, 7])('undoes a camera turned %i degrees', async (degrees) => {
    const { result, toSource, layout } = await aligned(degrees);
    expect(result.angleDegrees).toBeCloseTo(degrees, 0);

    // The frame's image centre maps back to the image centre, which the camera turned about.
    const { width, height } = layout.frame!;
    const centre = applyAffine(toSource, { x: (width - 1) / 2, y: (height - 1) / 2 });
    expect(Math.hypot(centre.x - (width - 1) / 2, centre.y - (height - 1) / 2)).toBeLessThan(2);
  });

  it.each([
    ['an SVG labelled PNG', '<svg xmlns="http://www.w3.org/2000/svg" width="12000" height="12000"><rect width="12000" height="12000"/></svg>', /image is svg: embed a PNG, JPEG or WebP/],
    ['bytes that are no image', 'not an image', /cannot be decoded/],
  ])('rejects a mark that is %s', async (_case, content, message) => {
    const rendered = await renderMeter({ value: 1, seed: 3 });
    const layout = await parseLayout(rendered.layout);
    const image = `data:image/png;base64,${Buffer.from(content).toString('base64')}`;
    const marks = layout.alignment!.marks.map((mark) => ({ ...mark, image }));
    const grey = toGrey(await decodeImage(rendered.image));

    const error = await alignToMarks(grey, layoutRotation(grey.width, grey.height, 0), { ...layout.alignment!, marks }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'alignment_failed' });
    expect((error as VisionError).message).toMatch(message);
  });

  it('fails with the similarity found', async () => {
    const rendered = await renderMeter({ value: 1, seed: 3 });
    const layout = await parseLayout(rendered.layout);
    const blank = { data: Buffer.alloc(640 * 480, 128), width: 640, height: 480, channels: 1 as const };
    const error = await alignToMarks(blank, layoutRotation(640, 480, 0), layout.alignment!).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VisionError);
    expect(error).toMatchObject({ code: 'alignment_failed', details: { mark: 'ref0', minSimilarity: 0.6 } });
    expect((error as VisionError).details.similarity).toBeLessThan(0.6);
  });
});
