import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { MARK_IMAGE_DATA_URL, meterLayoutSchema, type MeterLayout } from '@metervision/protocol';
import { LayoutError, type LayoutIssue } from './errors.ts';

export interface ParseLayoutOptions {
  /** Folder that relative mark image paths are resolved against; default: the working directory. */
  baseDir?: string;
}

const MARK_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' };

/**
 * Validates a layout document, fills in the defaults and turns mark image paths into data URLs,
 * so the returned layout is self-contained and can be sent to a device as JSON.
 * Throws {@link LayoutError} listing every invalid field.
 *
 * @example
 * const layout = await parseLayout(JSON.parse(text), { baseDir: '/etc/metervision' });
 */
export async function parseLayout(json: unknown, options: ParseLayoutOptions = {}): Promise<MeterLayout> {
  const parsed = meterLayoutSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.') || '(root)', message: issue.message }));
    throw new LayoutError(`invalid layout: ${describeIssues(issues)}`, issues);
  }

  const layout = parsed.data;
  const issues = [...findDuplicateNames(layout), ...findRoisOutsideFrame(layout), ...findPlaceGaps(layout)];
  if (issues.length > 0) throw new LayoutError(`invalid layout: ${describeIssues(issues)}`, issues);

  if (layout.alignment) {
    const baseDir = options.baseDir ?? process.cwd();
    const marks = await Promise.all(layout.alignment.marks.map(async (mark, index) => ({ ...mark, image: await markDataUrl(mark.image, baseDir, index) })));
    return { ...layout, alignment: { ...layout.alignment, marks } };
  }
  return layout;
}

/** Reads and parses a layout JSON file; mark image paths are relative to the file's folder. */
export async function loadLayoutFile(path: string): Promise<MeterLayout> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new LayoutError(`cannot read layout file ${path}: ${(error as Error).message}`, [{ path: '(file)', message: 'not readable' }], { cause: error });
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LayoutError(`layout file ${path} is not valid JSON: ${(error as Error).message}`, [{ path: '(file)', message: 'invalid JSON' }], { cause: error });
  }
  return parseLayout(json, { baseDir: dirname(resolve(path)) });
}

function describeIssues(issues: LayoutIssue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
}

function findDuplicateNames(layout: MeterLayout): LayoutIssue[] {
  const groups: [string, { name: string }[]][] = [
    ['digits', [...layout.digits, ...layout.decimalDigits, ...layout.pointers]],
    ['alignment.marks', layout.alignment?.marks ?? []],
  ];
  const issues: LayoutIssue[] = [];
  for (const [path, rois] of groups) {
    const seen = new Set<string>();
    for (const roi of rois) {
      if (seen.has(roi.name)) issues.push({ path, message: `ROI name ${roi.name} is used twice; names must be unique` });
      seen.add(roi.name);
    }
  }
  return issues;
}

// A reading is composed by place value: integer wheels end at units, decimal wheels follow, and
// each dial's factor must be the next power of ten down.
function findPlaceGaps(layout: MeterLayout): LayoutIssue[] {
  const issues: LayoutIssue[] = [];
  let expected = layout.digits.length > 0 || layout.decimalDigits.length > 0 ? -1 - layout.decimalDigits.length : null;
  layout.pointers.forEach((dial, index) => {
    const place = Math.log10(dial.factor);
    if (Math.abs(place - Math.round(place)) > 1e-9) {
      issues.push({ path: `pointers.${index}.factor`, message: `factor ${dial.factor} of dial ${dial.name} is not a power of ten (0.1, 0.01, …)` });
      return;
    }
    if (expected !== null && Math.round(place) !== expected) {
      issues.push({ path: `pointers.${index}.factor`, message: `dial ${dial.name} has factor ${dial.factor} but the places before it need ${10 ** expected} next` });
    }
    expected = Math.round(place) - 1;
  });
  return issues;
}

function findRoisOutsideFrame(layout: MeterLayout): LayoutIssue[] {
  if (!layout.frame) return [];

  const { width, height } = layout.frame;
  const groups = { digits: layout.digits, decimalDigits: layout.decimalDigits, pointers: layout.pointers, 'alignment.marks': layout.alignment?.marks ?? [] };
  const issues: LayoutIssue[] = [];
  for (const [path, rois] of Object.entries(groups)) {
    rois.forEach((roi, index) => {
      if (roi.x + roi.width > width || roi.y + roi.height > height) {
        issues.push({ path: `${path}.${index}`, message: `ROI ${roi.name} reaches beyond the ${width}x${height} frame` });
      }
    });
  }
  return issues;
}

async function markDataUrl(image: string, baseDir: string, index: number): Promise<string> {
  if (MARK_IMAGE_DATA_URL.test(image)) return image;
  if (image.startsWith('data:')) {
    throw new LayoutError(`alignment.marks.${index}.image: only PNG, JPEG or WebP data URLs in base64 are supported`, [
      { path: `alignment.marks.${index}.image`, message: 'unsupported data URL' },
    ]);
  }

  const path = isAbsolute(image) ? image : resolve(baseDir, image);
  const type = MARK_TYPES[extname(path).toLowerCase()];
  if (!type) {
    throw new LayoutError(`alignment.marks.${index}.image: ${image} is not a .png, .jpg or .webp file`, [
      { path: `alignment.marks.${index}.image`, message: 'unsupported file type' },
    ]);
  }

  try {
    return `data:${type};base64,${(await readFile(path)).toString('base64')}`;
  } catch (error) {
    throw new LayoutError(`alignment.marks.${index}.image: cannot read ${path}: ${(error as Error).message}`, [
      { path: `alignment.marks.${index}.image`, message: 'file not readable' },
    ], { cause: error });
  }
}
