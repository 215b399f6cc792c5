import type { OcrOutput, OcrPool } from './ocr-pool.ts';
import { encodePgm, renderGlyphRow, stackRows } from './render.ts';
import { allowedDigits, digitFromStructure, type GlyphBitmap, type GlyphCut, type GlyphShape } from './shape.ts';
import { matchTemplates } from './templates.ts';

/** One glyph to recognise: a whole digit or the visible part of a rolling one. */
export interface GlyphTask {
  bitmap: GlyphBitmap;
  shape: GlyphShape;
  /** Share of a whole digit's height that is visible, 0-1. */
  visible: number;
  cut: GlyphCut;
}

export interface GlyphVerdict {
  digit: number | null;
  /** 0-1. */
  confidence: number;
  /** Evidence the digit was decided on, for logs and low-confidence reasons. */
  basis: 'agreement' | 'majority' | 'template' | 'single' | 'structure' | 'none';
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
// Partial glyphs keep at least this factor of their confidence when just over half is visible,
// rising to the full confidence at PARTIAL_FULL_SHARE.
const PARTIAL_FLOOR = 0.75;
const PARTIAL_FULL_SHARE = 0.85;
const MIN_PARTIAL_SHARE = 0.55;

interface Vote {
  digit: number;
  confidence: number;
}

/**
 * Recognises the glyphs of one image. Two strips (all glyphs in a row, at two sizes) are read in
 * one tesseract call. A single-glyph call follows for every glyph whose strip readings disagree or
 * break the glyph's shape (holes, cut edge). `digitHeight` is a whole digit's height in the
 * bitmaps' pixels.
 */
export async function recognizeGlyphs(pool: OcrPool, tasks: GlyphTask[], digitHeight: number): Promise<GlyphVerdict[]> {
  if (tasks.length === 0) return [];

  const [first = [], second = []] = await readStrips(pool, tasks, digitHeight, [FIRST_HEIGHT, SECOND_HEIGHT]);
  return Promise.all(tasks.map((task, index) => decide(pool, task, digitHeight, first[index] ?? null, second[index] ?? null)));
}

async function decide(pool: OcrPool, task: GlyphTask, digitHeight: number, first: Vote | null, second: Vote | null): Promise<GlyphVerdict> {
  const allowed = allowedDigits(task.shape, task.cut, task.visible);
  const fits = (vote: Vote | null): vote is Vote => vote !== null && allowed.includes(String(vote.digit));
  if (task.cut !== 'none') return decidePartial(pool, task, digitHeight, [first, second].filter(fits), allowed);

  if (fits(first) && fits(second) && first.digit === second.digit) {
    const confidence = AGREEMENT_BASE + ((1 - AGREEMENT_BASE) * (first.confidence + second.confidence)) / 2;
    return { digit: first.digit, confidence, basis: 'agreement' };
  }

  const structural = digitFromStructure(task.shape, task.cut);
  const structureVote = structural === null ? null : { digit: structural, confidence: STRUCTURE_CONFIDENCE };
  const third = await readSingle(pool, task, digitHeight, allowed);
  const votes = [first, second, third, structureVote, templateVote(task)].filter(fits);
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

/**
 * Decides a glyph cut by the window edge. Tesseract's readings of one partial glyph at several
 * sizes fail together, because it was trained on whole characters, so they count as one witness.
 * The cut templates and the glyph's structure are the other witnesses. Two agreeing witnesses are
 * trusted. Otherwise a clear template match on most of a digit wins over tesseract, and anything
 * less stays below the default acceptance threshold.
 */
async function decidePartial(pool: OcrPool, task: GlyphTask, digitHeight: number, strips: Vote[], allowed: string): Promise<GlyphVerdict> {
  const partial = partialFactor(task);
  const fits = (vote: Vote | null): vote is Vote => vote !== null && allowed.includes(String(vote.digit));
  const tesseract = strips.length === 2 && strips[0]!.digit === strips[1]!.digit ? strips[0]! : await readSingle(pool, task, digitHeight, allowed);
  const structural = digitFromStructure(task.shape, task.cut, task.visible);
  const template = templateVote(task);
  const witnesses = [tesseract, template, structural === null ? null : { digit: structural, confidence: STRUCTURE_CONFIDENCE }].filter(fits);

  const agreed = witnesses.find((vote) => witnesses.filter((other) => other.digit === vote.digit).length >= 2);
  if (agreed) {
    const agreeing = witnesses.filter((vote) => vote.digit === agreed.digit);
    const mean = agreeing.reduce((sum, vote) => sum + vote.confidence, 0) / agreeing.length;
    return { digit: agreed.digit, confidence: (AGREEMENT_BASE + (1 - AGREEMENT_BASE) * mean) * partial, basis: 'agreement' };
  }
  if (fits(template)) {
    const alone = task.visible >= TEMPLATE_ALONE_SHARE ? 1 : SINGLE_FACTOR;
    return { digit: template.digit, confidence: template.confidence * partial * alone, basis: 'template' };
  }
  if (fits(tesseract)) return { digit: tesseract.digit, confidence: SINGLE_FACTOR * tesseract.confidence * partial, basis: 'single' };
  return { digit: null, confidence: 0, basis: 'none' };
}

// A template match counts as a vote only when it is clear: a fair correlation and a lead over
// every other digit. Its confidence grows with the lead.
const TEMPLATE_MIN_SCORE = 0.35;
const TEMPLATE_MIN_MARGIN = 0.12;
const TEMPLATE_BASE_CONFIDENCE = 0.4;
// A template match decides alone only for a glyph at least this share visible, because a smaller
// part of a digit matches the wrong template too easily (the bottom of a 1 and of a 7 are both a bar).
const TEMPLATE_ALONE_SHARE = 0.75;

function templateVote(task: GlyphTask): Vote | null {
  const match = matchTemplates(task.bitmap, task.cut, task.visible);
  if (!match || match.score < TEMPLATE_MIN_SCORE || match.margin < TEMPLATE_MIN_MARGIN) return null;
  return { digit: match.digit, confidence: Math.min(0.85, TEMPLATE_BASE_CONFIDENCE + match.margin) };
}

function partialFactor(task: GlyphTask): number {
  if (task.cut === 'none') return 1;
  return Math.min(1, PARTIAL_FLOOR + ((1 - PARTIAL_FLOOR) * Math.max(0, task.visible - MIN_PARTIAL_SHARE)) / (PARTIAL_FULL_SHARE - MIN_PARTIAL_SHARE));
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

/**
 * Asks tesseract whether a glyph can be `digit` (whitelist of that digit alone) and returns its
 * confidence, 0 when tesseract rejects the glyph as that digit.
 */
export async function confirmDigit(pool: OcrPool, task: GlyphTask, digitHeight: number, digit: number): Promise<number> {
  const vote = await readSingle(pool, task, digitHeight, String(digit));
  return vote?.digit === digit ? vote.confidence : 0;
}

async function readSingle(pool: OcrPool, task: GlyphTask, digitHeight: number, allowed: string): Promise<Vote | null> {
  const row = renderGlyphRow([{ bitmap: task.bitmap, visible: task.visible, cutAtTop: task.cut === 'top' }], digitHeight, SINGLE_HEIGHT, GAP, MARGIN);
  const output = await pool.recognize(encodePgm(row.image), 'char', allowed);
  const symbol = output.symbols.find((candidate) => /^[0-9]$/.test(candidate.text));
  return symbol ? { digit: Number(symbol.text), confidence: symbol.confidence / 100 } : null;
}
