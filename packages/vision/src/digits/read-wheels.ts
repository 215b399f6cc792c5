import type { DigitRoi, DigitStyle } from '@metervision/protocol';
import type { RasterImage } from '../decode.ts';
import { sampleRegion } from '../crop.ts';
import type { Affine } from '../transform.ts';
import { binarizeWheel, type InkImage } from './binarize.ts';
import { extractBand, findGlyphBands, type GlyphBand, type WheelGlyphs } from './glyphs.ts';
import type { OcrPool } from './ocr-pool.ts';
import { cutOf, estimateDigitGeometry, phaseOf, type DigitGeometry } from './phase.ts';
import { recognizeGlyphs, type GlyphTask, type GlyphVerdict } from './recognize.ts';
import { measureShape } from './shape.ts';

/** What one wheel window shows. */
export interface WheelReading {
  name: string;
  /** Digit of the most visible glyph, 0-9; null when no digit could be read. */
  digit: number | null;
  /** 0-1. */
  confidence: number;
  /**
   * How far the wheel has turned past `digit`, in digits: 0 when the glyph is centred, +0.5 when
   * it is half-way out at the top, negative while it is still coming in from the bottom.
   */
  phase: number;
  /** Why `digit` is null or the confidence is low. */
  note?: string;
}

export interface ReadWheelsOptions {
  style: DigitStyle;
}

// Wheel windows are resampled to about this height in pixels before thresholding; smaller
// windows are upscaled to reach it, so thin strokes survive binarisation.
const TARGET_WINDOW_HEIGHT = 72;
const MAX_SCALE = 4;
// Bands showing less than this share of a digit are too little for OCR.
const MIN_VISIBLE_SHARE = 0.55;
// At most this many bands per wheel: the leaving and the entering digit.
const MAX_BANDS = 2;

interface PreparedWheel {
  roi: DigitRoi;
  ink: InkImage;
  glyphs: WheelGlyphs;
}

interface BandTask extends GlyphTask {
  wheel: number;
  phase: number;
}

/** Reads every wheel of one image: binarisation and band analysis per wheel, then OCR of all glyphs together. */
export async function readWheels(pool: OcrPool, source: RasterImage, toSource: Affine, rois: DigitRoi[], options: ReadWheelsOptions): Promise<WheelReading[]> {
  if (rois.length === 0) return [];

  const prepared = rois.map((roi) => prepareWheel(source, toSource, roi, options.style));
  const geometry = estimateDigitGeometry(prepared.map((wheel) => ({ bands: wheel.glyphs.bands, height: wheel.ink.height })));
  const tasks = prepared.flatMap((wheel, index) => bandTasks(wheel, index, geometry));
  const verdicts = await recognizeGlyphs(pool, tasks, geometry.digitHeight);

  return prepared.map((wheel, index) => {
    const readings = tasks.flatMap((task, at) => (task.wheel === index ? [{ task, verdict: verdicts[at]! }] : []));
    return combineBands(wheel.roi.name, readings);
  });
}

function prepareWheel(source: RasterImage, toSource: Affine, roi: DigitRoi, style: DigitStyle): PreparedWheel {
  const scale = Math.min(MAX_SCALE, Math.max(1, TARGET_WINDOW_HEIGHT / roi.height));
  const grey = sampleRegion(source, toSource, roi, scale);
  const ink = binarizeWheel(grey, style);
  return { roi, ink, glyphs: findGlyphBands(ink) };
}

function bandTasks(wheel: PreparedWheel, index: number, geometry: DigitGeometry): BandTask[] {
  const visible = (band: GlyphBand) => Math.min(1, (band.bottom - band.top + 1) / geometry.digitHeight);
  const { bands } = wheel.glyphs;
  const chosen = bands
    .filter((band) => visible(band) >= MIN_VISIBLE_SHARE)
    .sort((a, b) => visible(b) - visible(a))
    .slice(0, MAX_BANDS);

  return chosen.map((band) => {
    const cut = cutOf(band, bands, wheel.ink.height, geometry);
    const bitmap = extractBand(wheel.glyphs, band, wheel.ink.width);
    return { wheel: index, bitmap, shape: measureShape(bitmap), visible: visible(band), cut, phase: phaseOf(band, cut, wheel.ink.height, geometry) };
  });
}

// Two bands of one wheel are the same position seen twice: the upper digit u at phase p and the
// lower digit u+1 at phase p-1. Agreement raises trust; disagreement means one reading is wrong.
function combineBands(name: string, readings: { task: BandTask; verdict: GlyphVerdict }[]): WheelReading {
  const readable = readings.filter((reading) => reading.verdict.digit !== null);
  if (readable.length === 0) {
    const note = readings.length === 0 ? `no digit found in wheel ${name}` : `wheel ${name} could not be recognised`;
    return { name, digit: null, confidence: 0, phase: 0, note };
  }

  const ranked = [...readable].sort((a, b) => b.verdict.confidence * b.task.visible - a.verdict.confidence * a.task.visible);
  const best = ranked[0]!;
  const other = ranked[1];
  const reading = { name, digit: best.verdict.digit, confidence: best.verdict.confidence, phase: best.task.phase };
  if (!other) return reading;

  const difference = circularDifference(best.verdict.digit! + best.task.phase, other.verdict.digit! + other.task.phase);
  if (difference <= 0.5) return { ...reading, confidence: Math.max(best.verdict.confidence, other.verdict.confidence) };
  return {
    ...reading,
    confidence: Math.min(best.verdict.confidence, 1 - other.verdict.confidence),
    note: `wheel ${name} shows ${best.verdict.digit} and ${other.verdict.digit}, which are not neighbours on a wheel`,
  };
}

function circularDifference(a: number, b: number): number {
  const difference = Math.abs(a - b) % 10;
  return Math.min(difference, 10 - difference);
}
