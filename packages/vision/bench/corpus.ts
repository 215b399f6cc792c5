import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MeterLayout, MeterLayoutInput, PlausibilityRules } from '@metervision/protocol';
import { parseLayout } from '../src/layout.ts';

/**
 * Loads the real-photo benchmark sets from the shared corpus next to the repository
 * (`../shared/corpus`, resolved from the repository root). The photos stay there; layouts are
 * built here from each set's manifest.
 */

const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CORPUS_ROOT = resolve(REPOSITORY_ROOT, '../shared/corpus');

export interface LabelledPhoto {
  /** Path relative to the set's folder, e.g. `demo-2024/530.07077.jpg`. */
  file: string;
  path: string;
  /** Reading recorded by the upstream device, as text (e.g. `530.07077`). */
  label: string;
  /** Largest |value − label| that still counts as right for this photo when judging wrong-but-confident. */
  wrongAbove: number;
}

export interface PhotoSet {
  name: string;
  layout: MeterLayout;
  photos: LabelledPhoto[];
}

/** True when the shared corpus is present; tests skip with a message otherwise. */
export function corpusAvailable(): boolean {
  return existsSync(join(CORPUS_ROOT, 'aiedge', 'manifest.json')) && existsSync(join(CORPUS_ROOT, 'nohn-sample', 'cases.json'));
}

// Labels are the upstream device's readings, taken a few seconds away from the photo. The set's
// README gives ±0.005 m³ in general and ±0.02 m³ for 521.0465, whose photo is 14.7 L ahead.
const LABEL_TOLERANCE = 0.005;
const LABEL_TOLERANCE_EXCEPTIONS: Record<string, number> = { '521.0465': 0.02 };

interface AiedgeManifest {
  layout: {
    initialRotateDegrees: number;
    imageSize: { width: number; height: number };
    alignmentMarks: { name: string; file: string; x: number; y: number; width: number; height: number }[];
    alignmentSearch: { searchFieldX: number; searchFieldY: number };
    derivedRois: { digits: ManifestRoi[]; analog: (ManifestRoi & { factor: number; hubCentre?: [number, number] })[] };
  };
  layoutDemo2022: { initialRotateDegrees: number; digits: ManifestRoi[]; analog: (ManifestRoi & { factor: number })[] };
  images: { file: string; reading: string; set: string }[];
}

interface ManifestRoi {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Loads the two aiedge sets: demo-2024 aligned on the two marks, demo-2022 by rotation only (its
 * stickers differ from the marks). `manifestFile` defaults to the corpus next to the repository;
 * photo and mark paths start at its folder.
 */
export async function loadAiedgeSets(manifestFile = join(CORPUS_ROOT, 'aiedge', 'manifest.json')): Promise<PhotoSet[]> {
  const folder = dirname(resolve(manifestFile));
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as AiedgeManifest;
  const { layout } = manifest;
  const rois = ({ name, x, y, width, height }: ManifestRoi) => ({ name, x, y, width, height });

  const layout2024: MeterLayoutInput = {
    name: 'aiedge demo-2024',
    unit: 'm3',
    frame: layout.imageSize,
    rotateDegrees: layout.initialRotateDegrees,
    alignment: {
      marks: layout.alignmentMarks.map((mark) => ({ ...rois(mark), image: mark.file })),
      searchRadius: { x: layout.alignmentSearch.searchFieldX, y: layout.alignmentSearch.searchFieldY },
    },
    digits: layout.derivedRois.digits.map(rois),
    pointers: layout.derivedRois.analog.map((dial) => ({
      ...rois(dial),
      factor: dial.factor,
      ...(dial.hubCentre ? { centre: { x: dial.hubCentre[0], y: dial.hubCentre[1] } } : {}),
    })),
    extendedResolution: true,
    // The README of the set: the last wheel turns continuously with the x0.1 dial.
    wheelDrive: 'continuous',
  };
  const layout2022: MeterLayoutInput = {
    name: 'aiedge demo-2022',
    unit: 'm3',
    frame: layout.imageSize,
    rotateDegrees: manifest.layoutDemo2022.initialRotateDegrees,
    digits: manifest.layoutDemo2022.digits.map(rois),
    pointers: manifest.layoutDemo2022.analog.map((dial) => ({ ...rois(dial), factor: dial.factor })),
    wheelDrive: 'continuous',
  };

  const photosOf = (set: string): LabelledPhoto[] =>
    manifest.images
      .filter((image) => image.set === set)
      .map((image) => ({
        file: image.file,
        path: join(folder, image.file),
        label: image.reading,
        wrongAbove: LABEL_TOLERANCE_EXCEPTIONS[image.reading] ?? LABEL_TOLERANCE,
      }));

  return [
    { name: 'aiedge/demo-2024', layout: await parseLayout(layout2024, { baseDir: folder }), photos: photosOf('demo-2024') },
    { name: 'aiedge/demo-2022', layout: await parseLayout(layout2022, { baseDir: folder }), photos: photosOf('demo-2022') },
  ];
}

/** One upstream nohn/watermeter test case: an image, a layout, the previous value and the expected outcome. */
export interface NohnCase {
  id: string;
  path: string;
  layout: MeterLayout;
  rules: PlausibilityRules;
  lastValue: number;
  /** Value the reader must end with: the reading, or `lastValue` when the reading is rejected. */
  expectedValue: number;
  /** True when the upstream reader reports an error, here: plausibility rejects the reading. */
  rejected: boolean;
  meterShows: number;
}

interface NohnCaseJson {
  id: string;
  image: string;
  lastValue: number;
  expectedValue: number;
  hasErrors: boolean;
  meterShows: string;
  config: {
    maxThreshold?: number;
    allowDecreasing?: boolean;
    digitalDigits: ManifestRoi[];
    analogGauges: ManifestRoi[];
  };
}

// Gauges are listed most significant first: x0.1, x0.01, x0.001, x0.0001.
const GAUGE_FACTORS = [0.1, 0.01, 0.001, 0.0001];

/** Loads the nohn-sample cases with layouts in raw-image coordinates (no rotation configured upstream). */
export async function loadNohnCases(): Promise<NohnCase[]> {
  const folder = join(CORPUS_ROOT, 'nohn-sample');
  const { cases } = JSON.parse(await readFile(join(folder, 'cases.json'), 'utf8')) as { cases: NohnCaseJson[] };

  return Promise.all(
    cases.map(async (item) => {
      const box = ({ x, y, width, height }: ManifestRoi) => ({ x, y, width, height });
      const layout = await parseLayout({
        name: `nohn ${item.id}`,
        digits: item.config.digitalDigits.map((roi, index) => ({ name: `digit${index + 1}`, ...box(roi) })),
        pointers: item.config.analogGauges.map((roi, index) => ({ name: `gauge${index + 1}`, ...box(roi), factor: GAUGE_FACTORS[index]! })),
        // demo.jpg shows a centred 9 on the last wheel with the x0.1 dial at 7.8: this meter's
        // wheels jump at the carry instead of turning with the dial.
        wheelDrive: 'intermittent',
      });
      return {
        id: item.id,
        path: join(folder, item.image),
        layout,
        rules: { allowNegativeRate: item.config.allowDecreasing ?? false, maxDelta: item.config.maxThreshold ?? 0.1 },
        lastValue: item.lastValue,
        expectedValue: item.expectedValue,
        rejected: item.hasErrors,
        meterShows: Number(item.meterShows),
      };
    }),
  );
}
