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
  /** Number of tesseract workers; each one starts at about 45 MB of WebAssembly memory and code. */
  workers: number;
  /** Jobs after which a worker is replaced by a fresh one. Default 1000 (about 400 meter readings). */
  recycleAfter?: number;
  logger: Logger;
}

const DEFAULT_RECYCLE_AFTER = 1000;

// Resolution tesseract assumes for the crops: wheels are upscaled to about 40 px high digits.
const USER_DEFINED_DPI = '300';

const DIGITS = '0123456789';


/** Default worker count: one per two cores, at most 4, so OCR leaves room for decoding and other work. */
export function defaultWorkerCount(): number {
  return Math.min(4, Math.max(1, Math.floor(availableParallelism() / 2)));
}

/** One running tesseract worker and the jobs it has. */
interface Running {
  worker: Worker;
  /** Jobs sent and not finished. */
  pending: number;
  /** Jobs served since the worker started. */
  served: number;
  /** Called when `pending` drops to zero, for a worker waiting to be terminated. */
  onIdle: (() => void) | null;
}

interface Slot {
  /** Null while a replacement has terminated the old worker and the fresh one starts. */
  current: Running | null;
  replacing: Promise<void> | null;
}

/**
 * A small pool of tesseract.js workers (legacy engine, digits only), created once and reused.
 * Jobs queue on the least busy worker. A worker is replaced after `recycleAfter` jobs, because
 * tesseract's WebAssembly heap only ever grows: with images of varying size it settles about
 * 40 MB above its start-up size after a few thousand jobs, and a fresh worker starts small again.
 * The old worker finishes its jobs and is terminated before the fresh one starts, so two workers
 * never exist at once (that overlap was the peak of RSS). Jobs for that slot wait for the start, about 0.3 s once per `recycleAfter`.
 */
export class OcrPool {
  private readonly slots: Slot[];
  private readonly langPath: string;
  private readonly recycleAfter: number;
  private readonly logger: Logger;
  private closed = false;

  private constructor(workers: Worker[], langPath: string, recycleAfter: number, logger: Logger) {
    this.slots = workers.map((worker) => ({ current: running(worker), replacing: null }));
    this.langPath = langPath;
    this.recycleAfter = recycleAfter;
    this.logger = logger;
  }

  /** Starts `options.workers` workers in parallel; rejects if any fails to load its traineddata. */
  static async create(options: OcrPoolOptions): Promise<OcrPool> {
    const count = Math.max(1, Math.floor(options.workers));
    const started = performance.now();
    const langPath = await legacyLangPath();
    const workers = await Promise.all(Array.from({ length: count }, () => startWorker(langPath)));
    options.logger.info({ workers: count, startupMs: Math.round(performance.now() - started) }, 'OCR workers started');
    return new OcrPool(workers, langPath, options.recycleAfter ?? DEFAULT_RECYCLE_AFTER, options.logger);
  }

  get size(): number {
    return this.slots.length;
  }

  /**
   * Recognises digits in an encoded image (PGM, PNG or BMP). `whitelist` narrows the digits
   * tesseract may return for this call only.
   */
  async recognize(image: Buffer, mode: OcrMode, whitelist = DIGITS): Promise<OcrOutput> {
    if (this.closed) throw new VisionError('reader_closed', 'the OCR workers were closed: create a new MeterReader');

    const slot = this.slots.reduce((best, candidate) => (load(candidate) < load(best) ? candidate : best));
    const job = await this.workerOf(slot);
    job.pending += 1;
    job.served += 1;
    try {
      const psm = { char: PSM.SINGLE_CHAR, line: PSM.SINGLE_LINE, block: PSM.SINGLE_BLOCK }[mode];
      const parameters = { tessedit_pageseg_mode: psm, tessedit_char_whitelist: whitelist };
      const result = await job.worker.recognize(image, parameters as never, { text: true, blocks: true });
      return { text: result.data.text.trim(), symbols: collectSymbols(result.data.blocks) };
    } catch (error) {
      throw new VisionError('ocr_failed', `tesseract failed to read a digit image: ${String(error)}`, { mode }, { cause: error });
    } finally {
      job.pending -= 1;
      if (job.pending === 0) job.onIdle?.();
      if (job.served >= this.recycleAfter && slot.current === job && !slot.replacing && !this.closed) slot.replacing = this.replace(slot);
    }
  }

  /** Terminates every worker, after replacements under way; later `recognize` calls reject with `reader_closed`. */
  async close(): Promise<void> {
    if (this.closed) return;

    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.replacing));
    await Promise.all(this.slots.map((slot) => slot.current?.worker.terminate()));
    this.logger.info({ workers: this.slots.length }, 'OCR workers terminated');
  }

  // The slot's worker once no replacement is under way; a slot left without one (its start
  // failed) starts a worker now.
  private async workerOf(slot: Slot): Promise<Running> {
    while (slot.replacing) await slot.replacing;
    if (!slot.current) {
      slot.replacing = this.start(slot);
      await slot.replacing;
    }
    if (!slot.current) throw new VisionError('ocr_failed', 'no tesseract worker could be started: see the log for the cause');
    return slot.current;
  }

  // Lets the old worker finish its jobs, terminates it, then starts a fresh one.
  private async replace(slot: Slot): Promise<void> {
    const old = slot.current!;
    if (old.pending > 0) await new Promise<void>((resolve) => (old.onIdle = resolve));
    slot.current = null;
    try {
      await old.worker.terminate();
    } catch (error) {
      this.logger.warn({ err: error }, 'terminating a replaced OCR worker failed');
    }
    await this.start(slot);
    this.logger.debug({ served: old.served }, 'OCR worker replaced');
  }

  private async start(slot: Slot): Promise<void> {
    try {
      slot.current = running(await startWorker(this.langPath));
    } catch (error) {
      // The slot stays empty and the next job tries again.
      this.logger.error({ err: error }, 'starting an OCR worker failed');
    } finally {
      slot.replacing = null;
    }
  }
}

/** Jobs a slot has queued; a slot being replaced counts as full, so jobs go elsewhere when they can. */
function load(slot: Slot): number {
  return slot.replacing || !slot.current ? Number.POSITIVE_INFINITY : slot.current.pending;
}

function running(worker: Worker): Running {
  return { worker, pending: 0, served: 0, onIdle: null };
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
