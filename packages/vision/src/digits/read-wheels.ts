import type { DigitRoi, DigitStyle } from '@metervision/protocol';
import type { RasterImage } from '../decode.ts';
import { sampleRegion } from '../crop.ts';
import type { Affine } from '../transform.ts';
import { binarizeWheel, type InkImage } from './binarize.ts';
import { extractBand, findGlyphBands, type GlyphBand, type WheelGlyphs } from './glyphs.ts';
import type { OcrPool } from './ocr-pool.ts';
import { cutOf, estimateDigitGeometry, phaseOf, type DigitGeometry } from './phase.ts';
import { confirmDigit, recognizeGlyphs, type GlyphTask, type GlyphVerdict } from './recognize.ts';
import { MIN_SHARE_FOR_HOLES, measureShape } from './shape.ts';

/** Reading of one wheel window. */
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
  /** Reason when `digit` is null or the confidence is low. */
  note?: string;
}

export interface ReadWheelsOptions {
  style: DigitStyle;
}

// Wheel windows are resampled to about this height in pixels before thresholding; smaller
// windows are upscaled to reach it, so thin strokes survive binarisation.
const TARGET_WINDOW_HEIGHT = 72;
const MAX_SCALE = 4;
// Parts of digits showing at least this share of a digit's height are read: a wheel half-way
// between two digits shows two halves, whose agreement as neighbours on the wheel is evidence...
const MIN_HALF_SHARE = 0.3;
// ...as long as one of them shows at least this share.
const MIN_LARGEST_SHARE = 0.45;
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
  /** Top row of the band in the window, to order the bands of a wheel. */
  top: number;
}

interface BandReading {
  task: BandTask;
  verdict: GlyphVerdict;
}

/** Reads every wheel of one image: binarisation and band analysis per wheel, then OCR of all glyphs together. */
export async function readWheels(pool: OcrPool, source: RasterImage, toSource: Affine, rois: DigitRoi[], options: ReadWheelsOptions): Promise<WheelReading[]> {
  if (rois.length === 0) return [];

  const prepared = rois.map((roi) => prepareWheel(source, toSource, roi, options.style));
  const geometry = estimateDigitGeometry(prepared.map((wheel) => ({ bands: wheel.glyphs.bands, height: wheel.ink.height })));
  const tasks = prepared.flatMap((wheel, index) => bandTasks(wheel, index, geometry));
  const verdicts = await recognizeGlyphs(pool, tasks, geometry.digitHeight);

  return Promise.all(
    prepared.map(async (wheel, index) => {
      const readings = tasks.flatMap((task, at) => (task.wheel === index ? [{ task, verdict: verdicts[at]! }] : []));
      return combineBands(wheel.roi.name, await reconcileBands(pool, readings, geometry.digitHeight));
    }),
  );
}

/**
 * Reconciles the two bands of a wheel when they read as digits that are no neighbours. The weaker
 * band (a sliver of a digit, often misread) is read again with only the stronger band's neighbour
 * allowed. If tesseract accepts that digit, it replaces the weaker reading.
 */
async function reconcileBands(pool: OcrPool, readings: BandReading[], digitHeight: number): Promise<BandReading[]> {
  if (readings.length !== 2 || readings.some((reading) => reading.verdict.digit === null)) return readings;

  const [upper, lower] = [...readings].sort((a, b) => a.task.top - b.task.top) as [BandReading, BandReading];
  if (upper.verdict.digit === mod10(lower.verdict.digit! - 1)) return readings;

  const upperIsStronger = strength(upper) >= strength(lower);
  const [strong, weak] = upperIsStronger ? [upper, lower] : [lower, upper];
  const neighbour = mod10(strong.verdict.digit! + (upperIsStronger ? 1 : -1));
  const confidence = await confirmDigit(pool, weak.task, digitHeight, neighbour);
  if (confidence < MIN_CONFIRMATION) return readings;

  const confirmed = { task: weak.task, verdict: { digit: neighbour, confidence: weak.verdict.confidence, basis: weak.verdict.basis } };
  return upperIsStronger ? [upper, confirmed] : [confirmed, lower];
}

// Tesseract's confidence (0-1) above which a whitelisted single digit counts as accepted.
const MIN_CONFIRMATION = 0.4;

function strength(reading: BandReading): number {
  return reading.verdict.confidence * reading.task.visible;
}

function mod10(value: number): number {
  return ((value % 10) + 10) % 10;
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
    .filter((band) => visible(band) >= MIN_HALF_SHARE)
    .sort((a, b) => visible(b) - visible(a))
    .slice(0, MAX_BANDS);
  if (chosen.length === 0 || visible(chosen[0]!) < MIN_LARGEST_SHARE) return [];

  return chosen.map((band) => {
    const cut = cutOf(band, bands, wheel.ink.height, geometry);
    const bitmap = extractBand(wheel.glyphs, band, wheel.ink.width);
    return { wheel: index, top: band.top, bitmap, shape: measureShape(bitmap), visible: visible(band), cut, phase: phaseOf(band, cut, wheel.ink.height, geometry) };
  });
}

// Two bands of one wheel are the same position seen twice: the upper digit u at phase p and the
// lower digit u+1 at phase p-1. Agreement raises trust; disagreement means one reading is wrong.
function combineBands(name: string, readings: BandReading[]): WheelReading {
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
  if (difference <= 0.5) {
    // Two parts read separately as neighbouring digits are two pieces of evidence for one position.
    const combined = 1 - (1 - best.verdict.confidence) * (1 - other.verdict.confidence);
    return { ...reading, confidence: Math.min(PAIR_MAX_CONFIDENCE, Math.max(best.verdict.confidence, combined)) };
  }

  // A sliver of a digit next to a whole one is a weak witness: it can confirm a reading but only
  // dent it, and below the share where its holes can be checked it cannot even dent it.
  const weight = Math.min(1, Math.max(0, (other.task.visible - MIN_SHARE_FOR_HOLES) / WITNESS_RAMP));
  let confidence = best.verdict.confidence * (1 - 0.5 * other.verdict.confidence * weight);
  // Two parts of digits that contradict each other leave no part to trust.
  if (best.task.cut !== 'none') confidence = Math.min(confidence, CONFLICTING_PARTS_CONFIDENCE);
  return { ...reading, confidence, note: `wheel ${name} shows ${best.verdict.digit} and ${other.verdict.digit}, which are not neighbours on a wheel` };
}

// Confidence cap of a wheel whose two visible parts read as digits that are no neighbours.
const CONFLICTING_PARTS_CONFIDENCE = 0.45;

// Confidence of a wheel read from two neighbouring parts never exceeds that of a whole digit read twice.
const PAIR_MAX_CONFIDENCE = 0.95;

// Visible share above MIN_SHARE_FOR_HOLES over which a contradicting band gains its full weight.
const WITNESS_RAMP = 0.25;

function circularDifference(a: number, b: number): number {
  const difference = Math.abs(a - b) % 10;
  return Math.min(difference, 10 - difference);
}
