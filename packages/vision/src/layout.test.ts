import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LayoutError } from './errors.ts';
import { loadLayoutFile, parseLayout } from './layout.ts';

const digit = (name: string, x: number) => ({ name, x, y: 10, width: 40, height: 60 });
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'vision-layout-'));
  await sharp({ create: { width: 20, height: 20, channels: 3, background: '#ffffff' } }).png().toFile(join(folder, 'mark.png'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function layoutError(json: unknown): Promise<LayoutError> {
  const error = await parseLayout(json).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(LayoutError);
  return error as LayoutError;
}

describe('parseLayout', () => {
  it('fills in the defaults', async () => {
    const layout = await parseLayout({ digits: [digit('dig1', 0)] });
    expect(layout).toMatchObject({ unit: 'm3', rotateDegrees: 0, digitStyle: 'auto', wheelDrive: 'auto', decimalShift: 0, minConfidence: 0.6 });
    expect(layout.pointers).toEqual([]);
  });

  it('lists every invalid field', async () => {
    const error = await layoutError({ rotateDegrees: 400, digits: [{ name: 'dig1', x: -1, y: 0, width: 0, height: 10 }] });
    const paths = error.issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['rotateDegrees', 'digits.0.x', 'digits.0.width']));
    expect(error.message).toMatch(/digits\.0\.x/);
  });

  it('rejects a layout without wheels or dials', async () => {
    const error = await layoutError({});
    expect(error.issues[0]?.message).toMatch(/at least one digit wheel or pointer dial/);
  });

  it('rejects duplicate ROI names', async () => {
    const error = await layoutError({ digits: [digit('dig1', 0), digit('dig1', 50)] });
    expect(error.message).toMatch(/dig1 is used twice/);
  });

  it('rejects an ROI outside the frame', async () => {
    const error = await layoutError({ frame: { width: 100, height: 100 }, digits: [digit('dig1', 80)] });
    expect(error.issues).toEqual([{ path: 'digits.0', message: 'ROI dig1 reaches beyond the 100x100 frame' }]);
  });

  it('rejects a dial factor out of place', async () => {
    const pointers = [0.1, 0.001].map((factor, index) => ({ name: `ana${index + 1}`, x: 0, y: 100, width: 50, height: 50, factor }));
    const error = await layoutError({ digits: [digit('dig1', 0)], pointers });
    expect(error.issues).toEqual([{ path: 'pointers.1.factor', message: 'dial ana2 has factor 0.001 but the places before it need 0.01 next' }]);
  });

  it('rejects a dial factor off powers of ten', async () => {
    const error = await layoutError({ pointers: [{ name: 'ana1', x: 0, y: 0, width: 50, height: 50, factor: 0.2 }] });
    expect(error.issues[0]?.message).toMatch(/not a power of ten/);
  });

  it('accepts dials for integer places', async () => {
    const pointers = [1000, 100, 10, 1].map((factor, index) => ({ name: `dial${index + 1}`, x: index * 60, y: 0, width: 50, height: 50, factor }));
    const layout = await parseLayout({ pointers });
    expect(layout.pointers).toHaveLength(4);
  });

  it('turns a mark path into a data URL', async () => {
    const layout = await parseLayout(
      { digits: [digit('dig1', 0)], alignment: { marks: [{ name: 'ref0', x: 0, y: 0, width: 20, height: 20, image: 'mark.png' }] } },
      { baseDir: folder },
    );
    expect(layout.alignment?.marks[0]?.image).toMatch(/^data:image\/png;base64,/);
    expect(layout.alignment?.searchRadius).toEqual({ x: 20, y: 20 });
  });

  it('rejects a missing mark file', async () => {
    const error = await parseLayout(
      { digits: [digit('dig1', 0)], alignment: { marks: [{ name: 'ref0', x: 0, y: 0, width: 20, height: 20, image: 'missing.png' }] } },
      { baseDir: folder },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LayoutError);
    expect((error as LayoutError).issues[0]?.path).toBe('alignment.marks.0.image');
  });
});

describe('loadLayoutFile', () => {
  it('resolves marks next to the file', async () => {
    const path = join(folder, 'layout.json');
    await writeFile(path, JSON.stringify({ digits: [digit('dig1', 0)], alignment: { marks: [{ name: 'ref0', x: 0, y: 0, width: 20, height: 20, image: './mark.png' }] } }));
    const layout = await loadLayoutFile(path);
    expect(layout.alignment?.marks[0]?.image).toMatch(/^data:image\/png;base64,/);
  });

  it('rejects a file that is not JSON', async () => {
    const path = join(folder, 'broken.json');
    await writeFile(path, '{ "digits": [');
    const error = await loadLayoutFile(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LayoutError);
    expect((error as Error).message).toMatch(/not valid JSON/);
  });
});
