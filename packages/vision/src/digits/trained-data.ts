import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

/**
 * Traineddata for tesseract's legacy engine, taken from the installed `@tesseract.js-data/eng`
 * package (never downloaded). The package's `4.0.0/eng.traineddata.gz` unpacks to 23 MB, of which
 * the legacy digit classifier needs about 1 MB. The word lists (a 16 MB bigram list among them) and
 * the LSTM model are dropped, because each tesseract worker keeps the file in memory up to three
 * times: unpacked, in its virtual file system, and as tesseract reads it. That was about 100 MB of
 * RSS per worker.
 */

const require = createRequire(import.meta.url);
const unzip = promisify(gunzip);

// Components of a traineddata file (tesseract's TessdataType) the legacy engine reads with the
// dictionaries switched off: config, unicharset, ambiguities, the classifier's templates
// (inttemp, pffmtable, normproto, shapetable), the params model, punctuation and number patterns
// and the version string.
const LEGACY_COMPONENTS = new Set([0, 1, 2, 3, 4, 5, 6, 8, 13, 16, 23]);

/** Folder of the package's traineddata for the legacy engine (gzipped). */
export function packageLangPath(): string {
  return join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0');
}

let prepared: Promise<string> | null = null;

/**
 * Writes the legacy-only traineddata once per process into a folder under the OS temporary
 * directory (named after the source file's size, so a new package version gets a new folder)
 * and returns that folder, for tesseract.js's `langPath` with `gzip: false`.
 */
export function legacyLangPath(): Promise<string> {
  prepared ??= writeLegacyTrainedData().catch((error: unknown) => {
    prepared = null;
    throw error;
  });
  return prepared;
}

async function writeLegacyTrainedData(): Promise<string> {
  const source = join(packageLangPath(), 'eng.traineddata.gz');
  const { size } = await stat(source);
  const folder = join(tmpdir(), `metervision-tessdata-${size}`);
  const target = join(folder, 'eng.traineddata');
  if (await exists(target)) return folder;

  const stripped = keepComponents(await unzip(await readFile(source)), LEGACY_COMPONENTS);
  await mkdir(folder, { recursive: true });
  // Written under a temporary name and renamed, so a concurrent process never reads half a file.
  const partial = `${target}.${process.pid}.partial`;
  await writeFile(partial, stripped);
  await rename(partial, target);
  return folder;
}

/**
 * Rebuilds a traineddata container keeping only `keep`. The container is a little-endian int32
 * component count, then one int64 offset per component (-1 when absent), then the components.
 */
export function keepComponents(data: Buffer, keep: Set<number>): Buffer {
  const count = data.readInt32LE(0);
  const offsets = Array.from({ length: count }, (_, index) => Number(data.readBigInt64LE(4 + 8 * index)));
  const end = (index: number) => offsets.slice(index + 1).find((offset) => offset >= 0) ?? data.length;

  const header = Buffer.alloc(4 + 8 * count);
  header.writeInt32LE(count, 0);
  const parts: Buffer[] = [];
  let position = header.length;
  offsets.forEach((offset, index) => {
    if (offset < 0 || !keep.has(index)) {
      header.writeBigInt64LE(-1n, 4 + 8 * index);
      return;
    }
    const part = data.subarray(offset, end(index));
    header.writeBigInt64LE(BigInt(position), 4 + 8 * index);
    parts.push(part);
    position += part.length;
  });
  return Buffer.concat([header, ...parts]);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
