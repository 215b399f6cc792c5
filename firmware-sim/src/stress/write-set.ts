import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidOptionError } from '../errors.ts';
import { renderMeter } from '../render/compose.ts';
import { stressCases } from './conditions.ts';

export interface StressSetOptions {
  /** Folder to write into; created when missing. */
  outDir: string;
  /** Random values per condition, 1-100. Default 3. */
  perCondition?: number;
  /** Seed of the values and of each image's noise. Default 1. */
  seed?: number;
  /** Output encoding. Default `jpeg`. */
  format?: 'jpeg' | 'png';
}

export interface StressManifestEntry {
  file: string;
  condition: string;
  description: string;
  /** Every render option, defaults filled in. */
  parameters: Record<string, unknown>;
  value: number;
  text: string;
  layout: unknown;
}

/**
 * Renders a labelled stress set into `outDir`: one image per case and a `manifest.json` with the
 * condition, parameters, true value and layout of each image. Returns the manifest entries.
 */
export async function writeStressSet(options: StressSetOptions): Promise<StressManifestEntry[]> {
  const perCondition = options.perCondition ?? 3;
  const seed = options.seed ?? 1;
  const format = options.format ?? 'jpeg';
  if (!Number.isInteger(perCondition) || perCondition < 1 || perCondition > 100) {
    throw new InvalidOptionError('stress set', [{ path: 'perCondition', received: perCondition, message: 'must be a whole number from 1 to 100' }]);
  }

  await mkdir(options.outDir, { recursive: true });
  const entries: StressManifestEntry[] = [];
  for (const stressCase of stressCases(perCondition, seed)) {
    const rendered = await renderMeter({ ...stressCase.options, format });
    const file = `${stressCase.id}.${format === 'png' ? 'png' : 'jpg'}`;
    await writeFile(join(options.outDir, file), rendered.image);

    const { value: _value, ...parameters } = rendered.options;
    entries.push({
      file,
      condition: stressCase.condition,
      description: stressCase.description,
      parameters,
      value: rendered.value,
      text: rendered.text,
      layout: rendered.layout,
    });
  }

  const manifest = { formatVersion: 1, seed, perCondition, images: entries };
  await writeFile(join(options.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return entries;
}
