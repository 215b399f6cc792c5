// Command line for trying layouts on photos: `pnpm vision read-folder <dir> --layout <file>` (or `--manifest <manifest.json>`).
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { annotateImage } from './annotate.ts';
import { checkPhotoFolder, CliUsageError, loadCliLayout } from './cli-layout.ts';
import { VisionError, LayoutError } from './errors.ts';
import type { MeterLayout } from '@metervision/protocol';
import { assessImageQuality, measureImageQuality } from './quality.ts';
import { MeterReader } from './reader.ts';

const HELP = `Usage: pnpm vision <command> [options]

Commands:
  read-folder <dir> --layout <file>   Read every JPEG/PNG/WebP in <dir>, one line per photo:
                                      file, value as shown, confidence, and the error or the
                                      reason for low confidence.
  read <image> --layout <file>        Read one photo and print the full result as JSON.
  (read and read-folder take --manifest <manifest.json> in place of --layout)
  quality <image>                     Print brightness, contrast, sharpness and glare with the
                                      advice for every failed threshold.

Options:
  --layout <file>     Layout JSON (format: packages/vision/docs/layout.md); mark image paths
                      are relative to the layout file.
  --manifest <file>   The aiedge photo corpus manifest.json, which contains a layout for each of
                      its photo sets: the set of <dir> (or of <image>'s folder) is used.
  --workers <n>       Tesseract workers to start (default: one per two cores, 1 to 4).
  --annotate <dir>    Also write each photo with ROIs and values drawn on it to <dir>.
  --json              read-folder: print one JSON object per line instead of text.
  -h, --help          Show this help.

Exit status: 0 when every photo was read (low confidence included), 1 when a photo could not be
read at all, 2 for wrong usage or an invalid layout.`;

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);

interface Options {
  layout?: string;
  manifest?: string;
  workers?: string;
  annotate?: string;
  json?: boolean;
  help?: boolean;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      layout: { type: 'string' },
      manifest: { type: 'string' },
      workers: { type: 'string' },
      annotate: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const options = values as Options;
  const [command, target] = positionals;
  if (options.help || !command) {
    console.log(HELP);
    return options.help ? 0 : 2;
  }

  if (command === 'quality') return target ? printQuality(target) : usageError('quality needs an image: pnpm vision quality <image>');
  if (command !== 'read' && command !== 'read-folder') return usageError(`unknown command ${JSON.stringify(command)}: use read, read-folder or quality`);
  if (!target) return usageError(`${command} needs ${command === 'read' ? 'an image' : 'a folder of photos'}`);
  if (options.layout === undefined && options.manifest === undefined) return usageError(`${command} needs --layout <file> or --manifest <manifest.json>`);
  return readCommand(command, target, options);
}

function usageError(message: string): number {
  console.error(`invalid usage: ${message}\n\n${HELP}`);
  return 2;
}

async function readCommand(command: 'read' | 'read-folder', target: string, options: Options): Promise<number> {
  const workers = options.workers === undefined ? undefined : Number(options.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 16)) {
    console.error(`invalid --workers ${options.workers}: expected a whole number from 1 to 16`);
    return 2;
  }
  if (command === 'read-folder') await checkPhotoFolder(target);
  const layout = await loadCliLayout(options, command === 'read' ? dirname(target) : target);
  const files = command === 'read' ? [target] : await imagesIn(target);
  if (files.length === 0) {
    console.error(`no .jpg, .png or .webp files in ${target}`);
    return 2;
  }
  if (options.annotate) await mkdir(options.annotate, { recursive: true });

  const reader = await MeterReader.create({ workers, logger: pino({ level: 'warn' }) });
  let failures = 0;
  try {
    for (const file of files) {
      const ok = await readOne(reader, file, layout, command === 'read' || options.json === true, options.annotate);
      if (!ok) failures += 1;
    }
  } finally {
    await reader.close();
  }
  return failures > 0 ? 1 : 0;
}

async function readOne(reader: MeterReader, file: string, layout: MeterLayout, json: boolean, annotateDir: string | undefined): Promise<boolean> {
  const image = await readFile(file);
  try {
    const result = await reader.read(image, layout);
    if (json) {
      console.log(JSON.stringify({ file: basename(file), ...result }));
    } else {
      const status = result.lowConfidenceReason ? `LOW: ${result.lowConfidenceReason}` : 'ok';
      console.log(`${basename(file)}\t${result.text ?? '-'}\t${result.confidence.toFixed(3)}\t${result.durationMs} ms\t${status}`);
    }
    if (annotateDir) await writeFile(join(annotateDir, `${basename(file, extname(file))}.annotated.jpg`), await annotateImage(image, layout, result));
    return true;
  } catch (error) {
    if (!(error instanceof VisionError)) throw error;
    if (json) console.log(JSON.stringify({ file: basename(file), error: { code: error.code, message: error.message, details: error.details } }));
    else console.log(`${basename(file)}\t-\t-\t-\tERROR ${error.code}: ${error.message}`);
    return false;
  }
}

async function printQuality(file: string): Promise<number> {
  const quality = await measureImageQuality(await readFile(file));
  console.log(JSON.stringify(quality));
  for (const issue of assessImageQuality(quality)) console.log(`${issue.code} (${issue.metric} ${issue.value}, ${issue.kind} ${issue.limit}): ${issue.advice}`);
  return 0;
}

async function imagesIn(folder: string): Promise<string[]> {
  const names = await readdir(folder);
  return names
    .filter((name) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase()))
    .sort()
    .map((name) => join(folder, name));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`invalid usage: ${(error as Error).message.split('. ')[0]}\n\n${HELP}`);
      process.exitCode = 2;
      return;
    }
    if (error instanceof LayoutError || error instanceof VisionError || error instanceof CliUsageError) {
      console.error(error.message);
      process.exitCode = 2;
      return;
    }
    console.error(error);
    process.exitCode = 1;
  },
);
