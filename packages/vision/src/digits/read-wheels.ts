import type { DigitRoi, DigitStyle } from '@metervision/protocol';
import type { RasterImage } from '../decode.ts';
import { sampleRegion } from '../crop.ts';
import type { Affine } from '../transform.ts';
import { binarizeWheel, type InkImage } from './binarize.ts';
import { extractBand, findGlyphBands, type GlyphBand, type WheelGlyphs } from './glyphs.ts';
import type { OcrPool } from './ocr-pool.ts';
import { cutOf, estimateDigitGeometry, phaseOf, type DigitGeometry } from './phase.ts';
import { recognizeGlyphs, type GlyphTask, type GlyphVerdict } from './recognize.ts';
import { readRollingWheel, type DigitPart, type TemplateFit } from './rolling-wheel.ts';
import { allowedDigits, measureShape, type GlyphCut } from './shape.ts';
import { matchTemplates } from './templates.ts';

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
// Parts of digits showing less than this share of a digit's height are too small to read...
const MIN_PART_SHARE = 0.1;
// ...and for tesseract, less than this share.
const MIN_OCR_SHARE = 0.5;
const NO_VERDICT: GlyphVerdict = { digit: null, confidence: 0, basis: 'none' };

interface PreparedWheel {
  roi: DigitRoi;
  ink: InkImage;
  glyphs: WheelGlyphs;
}

interface BandTask extends GlyphTask {
  wheel: number;
  band: GlyphBand;
  phase: number;
}

interface BandReading {
  task: BandTask;
  verdict: GlyphVerdict;
}

/**
 * Reads every wheel of one image: binarisation and band analysis per wheel, OCR of all glyphs
 * together, then each wheel from its whole digit or, when it is between two digits, from both
 * visible parts at once.
 */
export async function readWheels(pool: OcrPool, source: RasterImage, toSource: Affine, rois: DigitRoi[], options: ReadWheelsOptions): Promise<WheelReading[]> {
  if (rois.length === 0) return [];

  const prepared = rois.map((roi) => prepareWheel(source, toSource, roi, options.style));
  const geometry = estimateDigitGeometry(prepared.map((wheel) => ({ bands: wheel.glyphs.bands, height: wheel.ink.height })));
  const tasks = prepared.flatMap((wheel, index) => bandTasks(wheel, index, geometry));
  // Slivers of digits only disturb tesseract's line finding in the strips, and it cannot read them.
  const legible = tasks.filter((task) => task.visible >= MIN_OCR_SHARE);
  const verdicts = await recognizeGlyphs(pool, legible, geometry.digitHeight);
  const readings = tasks.map((task) => ({ task, verdict: verdicts[legible.indexOf(task)] ?? NO_VERDICT }));
  const fit = templateFit(readings);

  return prepared.map((wheel, index) => {
    const own = readings.filter((reading) => reading.task.wheel === index);
    return readWheel(wheel.roi.name, own, wheel.ink.height, fit);
  });
}

function prepareWheel(source: RasterImage, toSource: Affine, roi: DigitRoi, style: DigitStyle): PreparedWheel {
  const scale = Math.min(MAX_SCALE, Math.max(1, TARGET_WINDOW_HEIGHT / roi.height));
  const grey = sampleRegion(source, toSource, roi, scale);
  const ink = binarizeWheel(grey, style);
  return { roi, ink, glyphs: findGlyphBands(ink) };
}

// The whole digit of a wheel that shows the largest share or, when none shows whole, the part cut
// by the top edge and the part cut by the bottom edge.
function bandTasks(wheel: PreparedWheel, index: number, geometry: DigitGeometry): BandTask[] {
  const { bands } = wheel.glyphs;
  const visible = (band: GlyphBand) => Math.min(1, (band.bottom - band.top + 1) / geometry.digitHeight);
  const cuts = bands.map((band) => cutOf(band, bands, wheel.ink.height, geometry));
  const task = (band: GlyphBand, cut: GlyphCut): BandTask => {
    const bitmap = extractBand(wheel.glyphs, band, wheel.ink.width);
    const template = matchTemplates(bitmap, cut, visible(band), geometry.digitHeight);
    return { wheel: index, band, bitmap, shape: measureShape(bitmap), visible: visible(band), cut, template, phase: phaseOf(band, cut, wheel.ink.height, geometry) };
  };

  const whole = bands.filter((_, at) => cuts[at] === 'none').sort((a, b) => visible(b) - visible(a))[0];
  if (whole) return [task(whole, 'none')];

  const parts: BandTask[] = [];
  const [first, last] = [bands[0], bands.at(-1)];
  if (first && cuts[0] === 'top' && visible(first) >= MIN_PART_SHARE) parts.push(task(first, 'top'));
  if (last && cuts.at(-1) === 'bottom' && visible(last) >= MIN_PART_SHARE) parts.push(task(last, 'bottom'));
  return parts;
}

function readWheel(name: string, readings: BandReading[], windowHeight: number, fit: TemplateFit): WheelReading {
  const whole = readings.find((reading) => reading.task.cut === 'none');
  if (whole) return readWholeDigit(name, whole);
  if (readings.length === 0) return { name, digit: null, confidence: 0, phase: 0, note: `no digit found in wheel ${name}` };

  const detached = readings.find((reading) => !touchesCutEdge(reading.task, windowHeight));
  if (detached) {
    return { name, digit: null, confidence: 0, phase: 0, note: `wheel ${name} shows only part of a digit, away from the window edges: check for glare or dirt on the glass` };
  }

  const part = (cut: GlyphCut) => {
    const reading = readings.find((candidate) => candidate.task.cut === cut);
    return reading ? digitPart(reading) : null;
  };
  return readRollingWheel(name, part('top'), part('bottom'), fit);
}

function readWholeDigit(name: string, { task, verdict }: BandReading): WheelReading {
  const reading = { name, digit: verdict.digit, confidence: verdict.confidence, phase: task.phase };
  if (verdict.digit === null) return { ...reading, note: `wheel ${name} could not be recognised` };
  if (verdict.confidence < LOW_CONFIDENCE) return { ...reading, note: `wheel ${name} reads ${verdict.digit} only by ${verdict.basis} evidence` };
  return reading;
}

// Confidence below which a whole digit's reading gets a note saying what it rests on.
const LOW_CONFIDENCE = 0.6;

// A digit part cut by the window edge reaches that edge, give or take the window's rim.
function touchesCutEdge(task: BandTask, windowHeight: number): boolean {
  const slack = EDGE_SLACK_SHARE * windowHeight;
  return task.cut === 'top' ? task.band.top <= slack : task.band.bottom >= windowHeight - 1 - slack;
}

// Rows at the window edge, as a share of its height, that a rim or shading may take from a digit part.
const EDGE_SLACK_SHARE = 0.1;

function digitPart({ task, verdict }: BandReading): DigitPart {
  return {
    cut: task.cut as DigitPart['cut'],
    visible: task.visible,
    phase: task.phase,
    scores: task.template?.scores ?? new Array<number>(10).fill(0),
    allowed: allowedDigits(task.shape, task.cut, task.visible),
    ocrDigit: verdict.digit,
  };
}

/**
 * Counts the whole digits that tesseract read alike at both strip sizes, with confidence or
 * against a clear template match. Of those, it counts the ones whose best template is the same
 * digit, because the templates may decide rolling wheels only on a font they fit.
 */
function templateFit(readings: BandReading[]): TemplateFit {
  const checked = readings.filter(({ task, verdict }) => {
    if (task.cut !== 'none') return false;
    return verdict.basis === 'conflict' || (verdict.basis === 'agreement' && verdict.confidence >= FIT_MIN_CONFIDENCE);
  });
  const agreed = checked.filter(({ task, verdict }) => task.template?.digit === verdict.digit);
  return { checked: checked.length, agreed: agreed.length };
}

// Tesseract confidence from which a whole digit read at both strip sizes tests the templates.
const FIT_MIN_CONFIDENCE = 0.9;
