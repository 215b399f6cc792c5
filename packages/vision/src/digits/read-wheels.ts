import type { DigitRoi, DigitStyle } from '@metervision/protocol';
import type { RasterImage } from '../decode.ts';
import { sampleRegion } from '../crop.ts';
import type { Affine } from '../transform.ts';
import { binarizeWheel, type InkImage } from './binarize.ts';
import { encodePgm, findGlyphBands, renderBand, type GlyphBand, type WheelGlyphs } from './glyphs.ts';
import type { OcrPool } from './ocr-pool.ts';
import { estimateDigitGeometry, phaseOf, type DigitGeometry } from './phase.ts';

/** What one wheel window shows. */
export interface WheelReading {
  name: string;
  /** Digit of the most visible glyph, 0-9; null when no digit could be read. */
  digit: number | null;
  /** 0-1, from tesseract's confidence and how much of the glyph is visible. */
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

// Wheel windows are resampled to about this height in pixels: digits then come out 35-50 px high,
// which tesseract's legacy classifier reads well, and smaller windows are upscaled to reach it.
const TARGET_WINDOW_HEIGHT = 72;
const MAX_SCALE = 4;
const OCR_MARGIN = 8;
// A band showing less than this share of a digit is left to the other band.
const MIN_VISIBLE_SHARE = 0.3;

interface PreparedWheel {
  roi: DigitRoi;
  ink: InkImage;
  glyphs: WheelGlyphs;
}

interface BandCandidate {
  digit: number;
  confidence: number;
  phase: number;
  visible: number;
}

/** Reads every wheel of one image: binarisation and band analysis per wheel, then OCR of the glyphs. */
export async function readWheels(pool: OcrPool, source: RasterImage, toSource: Affine, rois: DigitRoi[], options: ReadWheelsOptions): Promise<WheelReading[]> {
  const prepared = rois.map((roi) => prepareWheel(source, toSource, roi, options.style));
  const geometry = estimateDigitGeometry(prepared.map((wheel) => ({ bands: wheel.glyphs.bands, height: wheel.ink.height })));
  return Promise.all(prepared.map((wheel) => readPreparedWheel(pool, wheel, geometry)));
}

function prepareWheel(source: RasterImage, toSource: Affine, roi: DigitRoi, style: DigitStyle): PreparedWheel {
  const scale = Math.min(MAX_SCALE, Math.max(1, TARGET_WINDOW_HEIGHT / roi.height));
  const grey = sampleRegion(source, toSource, roi, scale);
  const ink = binarizeWheel(grey, style);
  return { roi, ink, glyphs: findGlyphBands(ink) };
}

async function readPreparedWheel(pool: OcrPool, wheel: PreparedWheel, geometry: DigitGeometry): Promise<WheelReading> {
  const { roi, ink, glyphs } = wheel;
  const usable = glyphs.bands.filter((band) => visibleShare(band, geometry) >= MIN_VISIBLE_SHARE);
  if (usable.length === 0) {
    return { name: roi.name, digit: null, confidence: 0, phase: 0, note: `no digit found in wheel ${roi.name}` };
  }

  const candidates = await Promise.all(usable.map((band) => readBand(pool, glyphs, band, ink, geometry)));
  const readable = candidates.filter((candidate): candidate is BandCandidate => candidate !== null);
  if (readable.length === 0) {
    return { name: roi.name, digit: null, confidence: 0, phase: 0, note: `tesseract found no digit in wheel ${roi.name}` };
  }
  return combineCandidates(roi.name, readable);
}

async function readBand(pool: OcrPool, glyphs: WheelGlyphs, band: GlyphBand, ink: InkImage, geometry: DigitGeometry): Promise<BandCandidate | null> {
  const image = encodePgm(renderBand(glyphs, band, ink.width, OCR_MARGIN));
  const output = await pool.recognize(image, 'char');
  const symbol = output.symbols.find((candidate) => /^[0-9]$/.test(candidate.text));
  if (!symbol) return null;

  return {
    digit: Number(symbol.text),
    confidence: symbol.confidence / 100,
    phase: phaseOf(band, ink.height, geometry),
    visible: visibleShare(band, geometry),
  };
}

function visibleShare(band: GlyphBand, geometry: DigitGeometry): number {
  return Math.min(1, (band.bottom - band.top + 1) / geometry.digitHeight);
}

// Two bands of one wheel are the same position seen twice: the upper digit u at phase p and the
// lower digit u+1 at phase p-1. Agreement raises trust; disagreement means one reading is wrong.
function combineCandidates(name: string, candidates: BandCandidate[]): WheelReading {
  const ranked = [...candidates].sort((a, b) => b.confidence * b.visible - a.confidence * a.visible);
  const best = ranked[0]!;
  const other = ranked[1];
  if (!other) {
    return { name, digit: best.digit, confidence: best.confidence * Math.min(1, best.visible + 0.2), phase: best.phase };
  }

  const difference = circularDifference(best.digit + best.phase, other.digit + other.phase);
  if (difference <= 0.5) {
    return { name, digit: best.digit, confidence: Math.max(best.confidence, other.confidence), phase: best.phase };
  }
  return {
    name,
    digit: best.digit,
    confidence: Math.min(best.confidence, 1 - other.confidence),
    phase: best.phase,
    note: `wheel ${name}: the two visible digits ${best.digit} and ${other.digit} do not follow each other`,
  };
}

function circularDifference(a: number, b: number): number {
  const difference = Math.abs(a - b) % 10;
  return Math.min(difference, 10 - difference);
}
