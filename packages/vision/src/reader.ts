import type { MeterLayout } from '@metervision/protocol';
import { pino, type Logger } from 'pino';
import { alignToMarks } from './align.ts';
import { composeReading } from './compose.ts';
import { assertInsideFrame, sampleRegion } from './crop.ts';
import { decodeImage, toGrey, type RasterImage } from './decode.ts';
import { readWheels, type WheelReading } from './digits/read-wheels.ts';
import { defaultWorkerCount, OcrPool } from './digits/ocr-pool.ts';
import { VisionError } from './errors.ts';
import { pointerScale, readPointer } from './pointers.ts';
import { qualityOfRaster } from './quality.ts';
import { layoutRotation } from './rotate.ts';
import type { Affine } from './transform.ts';
import type { AlignmentResult, MeterReadResult } from './types.ts';

export interface MeterReaderOptions {
  /** Tesseract workers in the pool. Default: one per two cores, 1 to 4. */
  workers?: number;
  /** Parent logger; the reader logs through a `vision` child. Default: silent. */
  logger?: Logger;
}

/**
 * Reads meter values from photos: decode, rotate, align, crop the ROIs, read wheels (tesseract.js,
 * legacy engine, digits only) and dials, compose with roll-over resolution, rate the confidence.
 * Create one reader per process and reuse it: its OCR workers take about a second to start.
 *
 * @example
 * const reader = await MeterReader.create({ logger });
 * const result = await reader.read(await readFile('meter.jpg'), await loadLayoutFile('layout.json'));
 * await reader.close();
 */
export class MeterReader {
  private readonly pool: OcrPool;
  private readonly logger: Logger;
  private closed = false;

  private constructor(pool: OcrPool, logger: Logger) {
    this.pool = pool;
    this.logger = logger;
  }

  /** Starts the OCR workers; traineddata comes from the installed `@tesseract.js-data/eng` package, never from the network. */
  static async create(options: MeterReaderOptions = {}): Promise<MeterReader> {
    const logger = (options.logger ?? pino({ level: 'silent' })).child({ module: 'vision' });
    const pool = await OcrPool.create({ workers: options.workers ?? defaultWorkerCount(), logger });
    return new MeterReader(pool, logger);
  }

  /**
   * Reads one image with one layout. Throws {@link VisionError} for an unusable image or layout
   * (`invalid_image`, `image_too_large`, `frame_mismatch`, `roi_outside_image`, `alignment_failed`);
   * otherwise returns a result whose confidence rates how far to trust it.
   */
  async read(image: Buffer, layout: MeterLayout): Promise<MeterReadResult> {
    if (this.closed) throw new VisionError('reader_closed', 'this MeterReader was closed: create a new one');

    const started = performance.now();
    const colour = await decodeImage(image);
    checkFrame(colour, layout);
    const grey = toGrey(colour);

    const rotation = layoutRotation(colour.width, colour.height, layout.rotateDegrees);
    let toSource: Affine = rotation;
    let alignment: AlignmentResult | null = null;
    if (layout.alignment) {
      ({ toSource, result: alignment } = await alignToMarks(grey, rotation, layout.alignment));
    }

    const [digits, decimalDigits] = await Promise.all([
      readWheels(this.pool, grey, toSource, layout.digits, { style: layout.digitStyle }),
      readWheels(this.pool, grey, toSource, layout.decimalDigits, { style: layout.decimalDigitStyle }),
    ]);
    const pointers = layout.pointers.map((roi) => ({ ...readPointer(sampleRegion(colour, toSource, roi, pointerScale(roi)), roi), factor: roi.factor }));

    const composed = composeReading({ digits, decimalDigits, pointers, decimalShift: layout.decimalShift, extendedResolution: layout.extendedResolution, wheelDrive: layout.wheelDrive });
    const notes = [...digits, ...decimalDigits].flatMap((wheel: WheelReading) => (wheel.note ? [wheel.note] : []));
    const reasons = [...new Set([...notes, ...composed.issues])];
    const result: MeterReadResult = {
      value: composed.value,
      text: composed.text,
      digits: composed.digits,
      decimalDigits: composed.decimalDigits,
      pointers: composed.pointers,
      confidence: composed.confidence,
      quality: qualityOfRaster(colour),
      alignment,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    };
    if (result.confidence < layout.minConfidence) {
      result.lowConfidenceReason = reasons.length > 0 ? reasons.join('; ') : `confidence ${result.confidence} is below ${layout.minConfidence}`;
    }
    this.logger.debug({ value: result.value, confidence: result.confidence, durationMs: result.durationMs }, 'meter read');
    return result;
  }

  /** Terminates the OCR workers; later reads reject with `reader_closed`. */
  async close(): Promise<void> {
    this.closed = true;
    await this.pool.close();
  }
}

function checkFrame(image: RasterImage, layout: MeterLayout): void {
  if (layout.frame && (layout.frame.width !== image.width || layout.frame.height !== image.height)) {
    throw new VisionError(
      'frame_mismatch',
      `image is ${image.width}x${image.height} but the layout was drawn on ${layout.frame.width}x${layout.frame.height}: set the camera to that resolution or redraw the layout`,
      { imageWidth: image.width, imageHeight: image.height, frameWidth: layout.frame.width, frameHeight: layout.frame.height },
    );
  }

  const rois = [...layout.digits, ...layout.decimalDigits, ...layout.pointers, ...(layout.alignment?.marks ?? [])];
  for (const roi of rois) assertInsideFrame(roi, image.width, image.height);
}
