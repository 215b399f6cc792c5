import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FolderSourceConfig } from '../config/schema.ts';
import { CaptureError, errorMessage } from '../errors.ts';
import type { CapturedImage, CaptureSource, SeenFiles } from './types.ts';

/** Largest file the folder source reads, in bytes; vision rejects larger images anyway. */
export const MAX_FOLDER_FILE_BYTES = 20_000_000;

interface Candidate {
  file: string;
  mtimeMs: number;
  size: number;
}

export interface FolderSourceOptions {
  /** Required in `each` mode. */
  seen?: SeenFiles;
}

/**
 * Images from a folder that another program fills: the newest file at each capture, or each
 * file once, oldest first. In `each` mode a capture with no new file throws `no_image_file`
 * with `details.idle = true`, which the pipeline treats as nothing to do.
 */
export function createFolderSource(config: FolderSourceConfig, options: FolderSourceOptions = {}): CaptureSource {
  const seen = options.seen;
  if (config.mode === 'each' && !seen) throw new TypeError('a folder source in each mode needs a seen-files store');

  const extensions = new Set(config.extensions.map((extension) => extension.toLowerCase()));
  const seenKey = (candidate: Candidate) => `${candidate.file}|${candidate.size}|${Math.trunc(candidate.mtimeMs)}`;

  return {
    description: `folder ${config.path} (${config.mode})`,

    async capture(): Promise<CapturedImage> {
      // With settleMs 0 nothing is skipped: a file's mtime can run a little ahead of Date.now().
      const settledBefore = config.settleMs > 0 ? Date.now() - config.settleMs : Number.POSITIVE_INFINITY;
      const candidates = await listImages(config.path, extensions, settledBefore);
      const chosen =
        config.mode === 'newest'
          ? candidates.at(-1)
          : candidates.find((candidate) => !seen!.has(seenKey(candidate)));

      if (!chosen) {
        const what = config.mode === 'each' && candidates.length > 0 ? 'no new image file' : 'no image file';
        throw new CaptureError('no_image_file', config.path, `${what} (${[...extensions].join(', ')}) in the folder`, {
          idle: config.mode === 'each' && candidates.length > 0,
        });
      }

      const image = await readImageFile(chosen.file);
      return {
        image,
        origin: chosen.file,
        capturedAt: new Date(),
        commit: config.mode === 'each' ? () => seen!.add(seenKey(chosen)) : undefined,
      };
    },
  };
}

async function listImages(folder: string, extensions: Set<string>, settledBefore: number): Promise<Candidate[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    throw new CaptureError('file_unreadable', folder, `cannot list the folder: ${errorMessage(error)}`, {}, { cause: error });
  }

  const candidates: Candidate[] = [];
  for (const name of names) {
    if (name.startsWith('.') || !extensions.has(path.extname(name).toLowerCase())) continue;

    const file = path.join(folder, name);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile() || info.mtimeMs > settledBefore) continue;
    candidates.push({ file, mtimeMs: info.mtimeMs, size: info.size });
  }
  return candidates.sort((a, b) => a.mtimeMs - b.mtimeMs || a.file.localeCompare(b.file));
}

async function readImageFile(file: string): Promise<Buffer> {
  let image: Buffer;
  try {
    const info = await stat(file);
    if (info.size > MAX_FOLDER_FILE_BYTES) {
      throw new CaptureError('too_large', file, `file is ${info.size} bytes, more than ${MAX_FOLDER_FILE_BYTES}`, { bytes: info.size });
    }
    image = await readFile(file);
  } catch (error) {
    if (error instanceof CaptureError) throw error;
    throw new CaptureError('file_unreadable', file, `cannot read the file: ${errorMessage(error)}`, {}, { cause: error });
  }

  if (image.length === 0) throw new CaptureError('empty', file, 'file is empty');
  return image;
}
