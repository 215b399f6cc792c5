import sharp from 'sharp';
import { pointerRoiSchema } from '@metervision/protocol';
import { describe, expect, it } from 'vitest';
import { decodeImage } from './decode.ts';
import { angleToDialValue, pointerScale, readPointer } from './pointers.ts';
import { sampleRegion } from './crop.ts';
import { IDENTITY } from './transform.ts';

type NeedleShape = 'thin' | 'teardrop' | 'none';

// A 120x120 dial face with printed ticks and a red needle pointing `angle` degrees clockwise from 12 o'clock.
async function dialImage(angle: number, needle: NeedleShape = 'thin', face = '#f2f2f2'): Promise<Buffer> {
  const ticks = Array.from({ length: 10 }, (_, index) => `<line x1="60" y1="8" x2="60" y2="16" stroke="#202020" stroke-width="3" transform="rotate(${index * 36} 60 60)"/>`).join('');
  const shapes: Record<NeedleShape, string> = {
    thin: `<circle cx="60" cy="60" r="10" fill="#c02020"/><rect x="57" y="22" width="6" height="38" fill="#c02020" transform="rotate(${angle} 60 60)"/>`,
    teardrop: `<path d="M 60 18 L 76 60 A 16 16 0 1 1 44 60 Z" fill="#a02020" transform="rotate(${angle} 60 60)"/>`,
    none: '',
  };
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120"><rect width="120" height="120" fill="${face}"/>${ticks}${shapes[needle]}</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
}

async function read(image: Buffer, overrides: Record<string, unknown> = {}) {
  const roi = pointerRoiSchema.parse({ name: 'ana1', x: 0, y: 0, width: 120, height: 120, factor: 0.1, ...overrides });
  return readPointer(sampleRegion(await decodeImage(image), IDENTITY, roi, pointerScale(roi)), roi);
}

describe('readPointer', () => {
  it.each([0, 47, 90, 163, 250, 322])('reads a needle at %i degrees', async (angle) => {
    const reading = await read(await dialImage(angle));
    const expected = angle / 36;
    const error = Math.min(Math.abs(reading.value - expected), 10 - Math.abs(reading.value - expected));
    expect(error).toBeLessThan(0.1);
    expect(reading.confidence).toBeGreaterThan(0.6);
  });

  it('reads a teardrop needle from its round end', async () => {
    const reading = await read(await dialImage(270, 'teardrop'));
    expect(reading.value).toBeCloseTo(7.5, 0);
  });

  it('reads through a cyan colour cast', async () => {
    const reading = await read(await dialImage(126, 'thin', '#70d0e0'));
    expect(reading.value).toBeCloseTo(3.5, 0);
  });

  it('counts counter-clockwise dials backwards', async () => {
    const reading = await read(await dialImage(90), { direction: 'counterclockwise' });
    expect(Math.abs(reading.value - 7.5)).toBeLessThan(0.1);
  });

  it('reports no needle with zero confidence', async () => {
    const reading = await read(await dialImage(0, 'none'));
    expect(reading.confidence).toBe(0);
    expect(reading.note).toMatch(/no red needle/);
  });
});

describe('angleToDialValue', () => {
  it('applies the zero angle', () => {
    expect(angleToDialValue(100, { zeroAngleDegrees: 100, direction: 'clockwise' })).toBe(0);
    expect(angleToDialValue(64, { zeroAngleDegrees: 100, direction: 'clockwise' })).toBe(9);
  });
});
