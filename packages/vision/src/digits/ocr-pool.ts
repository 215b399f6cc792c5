import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import { VisionError } from '../errors.ts';
import { legacyLangPath } from './trained-data.ts';

/** Page-segmentation modes used for digit wheels. */
export type OcrMode = 'char' | 'line' | 'block';

export interface OcrBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** One recognised character with its box in the input image's pixels. */
export interface OcrSymbol {
  text: string;
  /** Tesseract's confidence, 0-100. */
  confidence: number;
  bbox: OcrBox;
}

export interface OcrOutput {
  text: string;
  symbols: OcrSymbol[];
}

export interface OcrPoolOptions {
  /** Number of tesseract workers; each one holds about 40 MB of traineddata and WebAssembly memory. */
  workers: number;
  logger: Logger;
}

// Resolution tesseract assumes for the crops: wheels are upscaled to about 40 px high digits.
const USER_DEFINED_DPI = '300';

const DIGITS = '0123456789';


/** Default worker count: one per two cores, at most 4, so OCR leaves room for decoding and other work. */
export function defaultWorkerCount(): number {
  return Math.min(4, Math.max(1, Math.floor(availableParallelism() / 2)));
}

/**
 * A small pool of tesseract.js workers (legacy engine, digits only), created once and reused.
 * Jobs queue on the least busy worker.
 */
export class OcrPool {
  private readonly workers: Worker[];
  private readonly pending: number[];
  private readonly logger: Logger;
  private closed = false;

  private constructor(workers: Worker[], logger: Logger) {
    this.workers = workers;
    this.pending = workers.map(() => 0);
    this.logger = logger;
  }

  /** Starts `options.workers` workers in parallel; rejects if any fails to load its traineddata. */
  static async create(options: OcrPoolOptions): Promise<OcrPool> {
    const count = Math.max(1, Math.floor(options.workers));
    const started = performance.now();
    const langPath = await legacyLangPath();
    const workers = await Promise.all(Array.from({ length: count }, () => startWorker(langPath)));
    options.logger.info({ workers: count, startupMs: Math.round(performance.now() - started) }, 'OCR workers started');
    return new OcrPool(workers, options.logger);
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Recognises digits in an encoded image (PGM, PNG or BMP). `whitelist` narrows the digits
   * tesseract may return for this call only.
   */
  async recognize(image: Buffer, mode: OcrMode, whitelist = DIGITS): Promise<OcrOutput> {
    if (this.closed) throw new VisionError('reader_closed', 'the OCR workers were closed: create a new MeterReader');

    const index = this.leastBusy();
    this.pending[index]! += 1;
    try {
      const psm = { char: PSM.SINGLE_CHAR, line: PSM.SINGLE_LINE, block: PSM.SINGLE_BLOCK }[mode];
      const parameters = { tessedit_pageseg_mode: psm, tessedit_char_whitelist: whitelist };
      const result = await this.workers[index]!.recognize(image, parameters as never, { text: true, blocks: true });
      return { text: result.data.text.trim(), symbols: collectSymbols(result.data.blocks) };
    } catch (error) {
      throw new VisionError('ocr_failed', `tesseract failed to read a digit image: ${String(error)}`, { mode }, { cause: error });
    } finally {
      this.pending[index]! -= 1;
    }
  }

  /** Terminates every worker; later `recognize` calls reject with `reader_closed`. */
  async close(): Promise<void> {
    if (this.closed) return;

    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    this.logger.info({ workers: this.workers.length }, 'OCR workers terminated');
  }

  private leastBusy(): number {
    let best = 0;
    for (let i = 1; i < this.pending.length; i += 1) {
      if (this.pending[i]! < this.pending[best]!) best = i;
    }
    return best;
  }
}

async function startWorker(langPath: string): Promise<Worker> {
  const worker = await createWorker(
    'eng',
    OEM.TESSERACT_ONLY,
    { langPath, cacheMethod: 'none', gzip: false },
    // Dictionaries only slow the start-up and pull digit strings towards words.
    { load_system_dawg: '0', load_freq_dawg: '0', load_punc_dawg: '0', load_unambig_dawg: '0', load_bigram_dawg: '0' } as never,
  );
  await worker.setParameters({
    tessedit_char_whitelist: DIGITS,
    user_defined_dpi: USER_DEFINED_DPI,
    classify_bln_numeric_mode: '1',
    // The adaptive classifier learns from earlier images, which makes a result depend on what the
    // worker read before; readings must not depend on history.
    classify_enable_learning: '0',
    // Glyphs arrive separated by gaps, so tesseract need not try chopping blobs into characters or
    // joining pieces: that search took about 60 % of each call and only ever split a digit.
    chop_enable: '0',
    wordrec_enable_assoc: '0',
    // Without learning the adaptive matcher has no templates of its own and only adds time.
    classify_enable_adaptive_matcher: '0',
  });
  return worker;
}

interface JsonSymbol {
  text: string;
  confidence: number;
  bbox: OcrBox;
}

function collectSymbols(blocks: unknown): OcrSymbol[] {
  const symbols: OcrSymbol[] = [];
  for (const block of (blocks as { paragraphs: { lines: { words: { symbols: JsonSymbol[] }[] }[] }[] }[] | null) ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        for (const word of line.words) {
          for (const symbol of word.symbols) {
            symbols.push({ text: symbol.text, confidence: symbol.confidence, bbox: symbol.bbox });
          }
        }
      }
    }
  }
  return symbols;
}
