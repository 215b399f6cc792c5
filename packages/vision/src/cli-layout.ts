import { stat } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { MeterLayout } from '@metervision/protocol';
import { loadAiedgeSets } from '../bench/corpus.ts';
import { loadLayoutFile } from './layout.ts';

/** Wrong usage of `pnpm vision`: the CLI prints the message alone and exits 2. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

export interface LayoutSource {
  layout?: string;
  manifest?: string;
}

/**
 * Loads the layout for `photoFolder` from `--layout <file>` or, for the aiedge photo corpus, from
 * `--manifest <manifest.json>`, which contains one layout per photo set: the set whose photos lie in
 * `photoFolder` is used.
 */
export async function loadCliLayout(source: LayoutSource, photoFolder: string): Promise<MeterLayout> {
  if (source.layout !== undefined && source.manifest !== undefined) throw new CliUsageError('give --layout or --manifest, not both');
  if (source.layout !== undefined) return loadLayoutFile(source.layout);
  if (source.manifest === undefined) throw new CliUsageError('missing --layout <file> or --manifest <manifest.json>');

  const manifest = resolve(source.manifest);
  const sets = await loadAiedgeSets(manifest).catch((error: unknown) => {
    throw new CliUsageError(`cannot load --manifest ${manifest}: ${errorMessage(error)} (expected the aiedge corpus manifest.json)`);
  });
  const folder = resolve(photoFolder);
  const set = sets.find((candidate) => candidate.photos.some((photo) => dirname(photo.path) === folder));
  if (set) return set.layout;

  const known = sets.map((candidate) => relative(process.cwd(), dirname(candidate.photos[0]!.path)) || '.').join(', ');
  throw new CliUsageError(`${folder} contains no photo set of ${manifest}; its sets are in ${known}`);
}

/** Rejects a photo folder that is missing or not a folder, before any layout or OCR work. */
export async function checkPhotoFolder(folder: string): Promise<void> {
  const info = await stat(folder).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliUsageError(`folder ${folder} does not exist`);
    throw new CliUsageError(`cannot read folder ${folder}: ${errorMessage(error)}`);
  });
  if (!info.isDirectory()) throw new CliUsageError(`${folder} is not a folder: read-folder takes a folder of photos; use read for one photo`);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
