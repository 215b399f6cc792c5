import type { OcrOutput, OcrPool } from './ocr-pool.ts';
import { encodePgm, renderGlyphRow, stackRows } from './render.ts';
import { allowedDigits, digitFromStructure, type GlyphBitmap, type GlyphCut, type GlyphShape } from './shape.ts';
import type { TemplateMatch } from './templates.ts';

/** One glyph to recognise: a whole digit or the visible part of a rolling one. */
export interface GlyphTask {
  bitmap: GlyphBitmap;
  shape: GlyphShape;
  /** Share of a whole digit's height that is visible, 0-1. */
  visible: number;
  cut: GlyphCut;
  /** The glyph compared with the digit templates cut the same way; null without ink. */
  template: TemplateMatch | null;
}

export interface GlyphVerdict {
  digit: number | null;
  /** 0-1. */
  confidence: number;
  /**
   * Evidence the digit was decided on, for logs and low-confidence reasons. A glyph cut by the
   * window edge gets only `strips` (both strip sizes read the same digit) or `none`, because its
   * digit is decided together with the other part of its wheel.
   */
  basis: 'agreement' | 'conflict' | 'majority' | 'single' | 'structure' | 'strips' | 'none';
}

// Two renderings of the same glyphs at different sizes: tesseract's errors at one size are often
// absent at the other, so agreement is evidence and disagreement a warning.
const FIRST_HEIGHT = 24;
const SECOND_HEIGHT = 34;
const SINGLE_HEIGHT = 28;
const GAP = 8;
const MARGIN = 8;

// Confidence bands by basis; tesseract's own confidence moves a verdict within its band.
const AGREEMENT_BASE = 0.7;
const MAJORITY_BASE = 0.55;
const SINGLE_FACTOR = 0.5;
const STRUCTURE_CONFIDENCE = 0.7;
// Tesseract at both strip sizes against a clear template match: one of them is wrong.
const CONFLICT_CONFIDENCE = 0.4;

interface Vote {
  digit: number;
  confidence: number;
}

/**
 * Recognises the glyphs of one image. Two strips (all glyphs in a row, at two sizes) are read in
 * one tesseract call. A single-glyph call follows for every whole glyph whose strip readings
 * disagree or break the glyph's shape (holes). A glyph cut by the window edge gets tesseract's
 * strip reading only. On synthetic wheels a single-glyph call read under half of the cut digits
 * right, because tesseract was trained on whole characters. `digitHeight` is a whole digit's
 * height in the bitmaps' pixels.
 */
export async function recognizeGlyphs(pool: OcrPool, tasks: GlyphTask[], digitHeight: number): Promise<GlyphVerdict[]> {
  if (tasks.length === 0) return [];

  const [first = [], second = []] = await readStrips(pool, tasks, digitHeight, [FIRST_HEIGHT, SECOND_HEIGHT]);
  return Promise.all(tasks.map((task, index) => decide(pool, task, digitHeight, first[index] ?? null, second[index] ?? null)));
}

async function decide(pool: OcrPool, task: GlyphTask, digitHeight: number, first: Vote | null, second: Vote | null): Promise<GlyphVerdict> {
  const allowed = allowedDigits(task.shape, task.cut, task.visible);
  const fits = (vote: Vote | null): vote is Vote => vote !== null && allowed.includes(String(vote.digit));
  if (task.cut !== 'none') return stripReading(first, second, fits);

  // Both strip sizes agreeing decide, unless a clear template match names another digit.
  const template = templateVote(task.template);
  if (fits(first) && fits(second) && first.digit === second.digit) {
    if (template !== null && template.digit !== first.digit) return { digit: first.digit, confidence: CONFLICT_CONFIDENCE, basis: 'conflict' };
    const confidence = AGREEMENT_BASE + ((1 - AGREEMENT_BASE) * (first.confidence + second.confidence)) / 2;
    return { digit: first.digit, confidence, basis: 'agreement' };
  }

  const structural = digitFromStructure(task.shape, task.cut);
  const structureVote = structural === null ? null : { digit: structural, confidence: STRUCTURE_CONFIDENCE };
  const third = await readSingle(pool, task, digitHeight, allowed);
  const votes = [first, second, third, structureVote, template].filter(fits);
  const majority = votes.find((vote) => votes.filter((other) => other.digit === vote.digit).length >= 2);
  if (majority) {
    const agreeing = votes.filter((vote) => vote.digit === majority.digit);
    const mean = agreeing.reduce((sum, vote) => sum + vote.confidence, 0) / agreeing.length;
    return { digit: majority.digit, confidence: MAJORITY_BASE + (1 - MAJORITY_BASE) * mean * 0.6, basis: 'majority' };
  }

  if (structureVote) return { digit: structureVote.digit, confidence: STRUCTURE_CONFIDENCE, basis: 'structure' };

  const best = votes.sort((a, b) => b.confidence - a.confidence)[0];
  if (best) return { digit: best.digit, confidence: SINGLE_FACTOR * best.confidence, basis: 'single' };
  return { digit: null, confidence: 0, basis: 'none' };
}

// Both strip sizes reading the same digit, which the glyph's shape admits.
function stripReading(first: Vote | null, second: Vote | null, fits: (vote: Vote | null) => vote is Vote): GlyphVerdict {
  if (!fits(first) || !fits(second) || first.digit !== second.digit) return { digit: null, confidence: 0, basis: 'none' };
  return { digit: first.digit, confidence: Math.min(first.confidence, second.confidence), basis: 'strips' };
}

// A template match counts as a vote only when it is clear: a fair correlation and a lead over
// every other digit. Its confidence grows with the lead.
const TEMPLATE_MIN_SCORE = 0.35;
const TEMPLATE_MIN_MARGIN = 0.12;
const TEMPLATE_BASE_CONFIDENCE = 0.4;

function templateVote(match: TemplateMatch | null): Vote | null {
  if (!match || match.score < TEMPLATE_MIN_SCORE || match.margin < TEMPLATE_MIN_MARGIN) return null;
  return { digit: match.digit, confidence: Math.min(0.85, TEMPLATE_BASE_CONFIDENCE + match.margin) };
}

// Each tesseract call costs about 3 ms before any recognition, so the strips at both sizes go
// into one image, one text line each, read as a block in a single call.
async function readStrips(pool: OcrPool, tasks: GlyphTask[], digitHeight: number, heights: number[]): Promise<(Vote | null)[][]> {
  const glyphs = tasks.map((task) => ({ bitmap: task.bitmap, visible: task.visible, cutAtTop: task.cut === 'top' }));
  const rows = heights.map((height) => renderGlyphRow(glyphs, digitHeight, height, GAP, MARGIN));
  const stacked = stackRows(rows.map((row) => row.image), 0);
  const output = await pool.recognize(encodePgm(stacked.image), 'block');
  return rows.map((row, index) => {
    const [top, bottom] = [stacked.tops[index]!, stacked.tops[index]! + row.image.height];
    return row.spans.map((span) => symbolInSpan(output, span, top, bottom));
  });
}

// A span counts only when exactly one digit's centre falls inside it. Tesseract also reports
// blank symbols for gaps it finds inside a glyph, which carry no digit.
function symbolInSpan(output: OcrOutput, [left, right]: [number, number], top: number, bottom: number): Vote | null {
  const inside = output.symbols.filter((symbol) => {
    if (symbol.text.trim() === '') return false;
    const centre = (symbol.bbox.x0 + symbol.bbox.x1) / 2;
    const middle = (symbol.bbox.y0 + symbol.bbox.y1) / 2;
    return middle >= top && middle < bottom && centre >= left - GAP / 2 && centre <= right + GAP / 2;
  });
  if (inside.length !== 1 || !/^[0-9]$/.test(inside[0]!.text)) return null;
  return { digit: Number(inside[0]!.text), confidence: inside[0]!.confidence / 100 };
}

async function readSingle(pool: OcrPool, task: GlyphTask, digitHeight: number, allowed: string): Promise<Vote | null> {
  const row = renderGlyphRow([{ bitmap: task.bitmap, visible: task.visible, cutAtTop: task.cut === 'top' }], digitHeight, SINGLE_HEIGHT, GAP, MARGIN);
  const output = await pool.recognize(encodePgm(row.image), 'char', allowed);
  const symbol = output.symbols.find((candidate) => /^[0-9]$/.test(candidate.text));
  return symbol ? { digit: Number(symbol.text), confidence: symbol.confidence / 100 } : null;
}
