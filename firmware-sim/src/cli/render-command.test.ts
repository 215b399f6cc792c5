import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { meterLayoutSchema } from '@metervision/protocol';
import { InvalidOptionError } from '../errors.ts';
import { describeOptionError, UsageError } from './flags.ts';
import { runRender } from './render-command.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sim-render-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sim render', () => {
  it('writes the image and its truth', async () => {
    const out = join(dir, 'meter.jpg');
    await runRender(['--value', '530.0708', '--out', out, '--blur', '1']);
    const image = await readFile(out);
    const truth = JSON.parse(await readFile(join(dir, 'meter.json'), 'utf8'));
    expect(image.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(truth.text).toBe('00530.0708');
    expect(truth.value).toBe(530.0708);
    expect(truth.options.blur).toBe(1);
    expect(meterLayoutSchema.safeParse(truth.layout).success).toBe(true);
  });

  it('picks PNG from the extension', async () => {
    await runRender(['--value', '1', '--out', join(dir, 'meter.png')]);
    const truth = JSON.parse(await readFile(join(dir, 'meter.json'), 'utf8'));
    expect(truth.contentType).toBe('image/png');
  });

  it('rejects a non-numeric knob', async () => {
    const error = await runRender(['--value', '1', '--out', join(dir, 'a.jpg'), '--noise', 'loud']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe('Invalid --noise "loud": expected a number.');
  });

  it('names an out-of-range knob as a flag', async () => {
    const error = await runRender(['--value', '1', '--out', join(dir, 'a.jpg'), '--rotation-degrees', '90']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(describeOptionError(error as InvalidOptionError)).toMatch(/^Invalid --rotation-degrees 90: /);
  });

  it('requires --value', async () => {
    await expect(runRender(['--out', join(dir, 'a.jpg')])).rejects.toThrow('Missing --value');
  });

  it('rejects an unknown image extension', async () => {
    await expect(runRender(['--value', '1', '--out', join(dir, 'a.gif')])).rejects.toThrow(/Invalid --out/);
  });

  it('prints help with units', async () => {
    const help = await runRender(['--help']);
    expect(help).toContain('--blur <n>');
    expect(help).toContain('sigma in pixels');
  });
});
