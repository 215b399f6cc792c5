import type { MeterLayout } from '@metervision/protocol';
import { annotateImage, type MeterReadResult } from '@metervision/vision';
import sharp from 'sharp';
import type { Logger } from 'pino';
import type { MeterRow } from '../assets/meters.repo.ts';
import type { EvidenceStore } from '../readings/evidence.ts';
import type { ReadingRow } from '../readings/readings.repo.ts';
import { AnnotationCache } from './annotation-cache.ts';

/** Memory for annotated images. Default 32 MiB: about 300 images of 100 KB. */
export const DEFAULT_ANNOTATION_CACHE_BYTES = 32 * 1024 * 1024;

export interface EvidenceImage {
  body: Buffer;
  contentType: string;
  /** False when the stored photo is returned as it is (meter without layout, photo the annotator cannot decode). */
  annotated: boolean;
}

/** A stored photo to draw on. */
interface Drawing {
  /** Cache key; includes the meter's update time, which changes with its layout, so a new layout draws anew. */
  key: string;
  path: string;
  contentType: string;
  layout: MeterLayout | null;
  /** Values to draw in the ROIs; null draws the ROIs and marks only. */
  result: (layout: MeterLayout) => MeterReadResult | null;
}

/**
 * Draws the meter layout on stored photos with `annotateImage` (reading evidence, installation
 * validation images) and keeps the results in a bounded cache.
 */
export class EvidenceAnnotator {
  readonly #cache: AnnotationCache;

  constructor(
    private readonly store: EvidenceStore,
    private readonly logger: Logger,
    maxBytes = DEFAULT_ANNOTATION_CACHE_BYTES,
  ) {
    this.#cache = new AnnotationCache(maxBytes);
  }

  /** Draws the evidence of `reading` of `meter`, with the digits read in their ROIs. */
  reading(meter: MeterRow, reading: ReadingRow & { imagePath: string }): Promise<EvidenceImage> {
    return this.#draw({
      key: `reading:${reading.id}@${meter.updatedAt.getTime()}`,
      path: reading.imagePath,
      contentType: reading.imageContentType ?? 'image/jpeg',
      layout: meter.layout,
      result: (layout) => toReadResult(reading, layout),
    });
  }

  /** Draws the layout's ROIs on the image of validation run `run` of an installation session. */
  validationImage(meter: MeterRow, sessionId: string, run: number, image: { path: string; contentType: string }): Promise<EvidenceImage> {
    return this.#draw({
      key: `installation:${sessionId}:${run}@${meter.updatedAt.getTime()}`,
      path: image.path,
      contentType: image.contentType,
      layout: meter.layout,
      result: () => null,
    });
  }

  /**
   * Draws one photo through the cache. When drawing fails (an image the annotator cannot
   * decode, for example), the stored photo is returned as it is, so the evidence stays visible.
   * A missing file still rejects.
   */
  async #draw(drawing: Drawing): Promise<EvidenceImage> {
    const original = async (): Promise<EvidenceImage> => ({ body: await this.store.load(drawing.path), contentType: drawing.contentType, annotated: false });
    const layout = drawing.layout;
    if (!layout) return original();

    try {
      const body = await this.#cache.get(drawing.key, async () => {
        const photo = await scaleToFrame(await this.store.load(drawing.path), layout);
        return annotateImage(photo, layout, drawing.result(layout));
      });
      return { body, contentType: 'image/jpeg', annotated: true };
    } catch (error) {
      this.logger.warn({ err: error, image: drawing.key }, 'evidence image could not be annotated; sending the stored photo');
      return original();
    }
  }
}

/**
 * Cameras usually send their photo scaled down; ROIs are in the layout frame's pixels, so the
 * photo is scaled back to the frame size before drawing. Without a frame size the photo is used
 * as it is.
 */
async function scaleToFrame(image: Buffer, layout: MeterLayout): Promise<Buffer> {
  const frame = layout.frame;
  if (!frame) return image;

  const metadata = await sharp(image).metadata();
  if (metadata.width === frame.width && metadata.height === frame.height) return image;
  return sharp(image).autoOrient().resize({ width: frame.width, height: frame.height, fit: 'fill' }).png().toBuffer();
}

/**
 * Rebuilds the recognition result `annotateImage` draws from a stored reading. Digits are
 * matched to the layout's ROIs by name; a ROI with no stored result gets no value.
 */
function toReadResult(reading: ReadingRow, layout: MeterLayout): MeterReadResult {
  const digits = new Map(reading.digits.map((digit) => [digit.name, digit]));
  const pointers = new Map(reading.pointers.map((pointer) => [pointer.name, pointer]));
  const digitOf = (name: string) => digits.get(name) ?? { name, value: null, confidence: 0 };

  const pointerResults: MeterReadResult['pointers'] = [];
  layout.pointers.forEach((roi, index) => {
    const pointer = pointers.get(roi.name);
    if (pointer) pointerResults[index] = pointer;
  });

  return {
    value: reading.value ?? reading.rawValue,
    text: reading.text ?? reading.rawText,
    digits: layout.digits.map((roi) => digitOf(roi.name)),
    decimalDigits: layout.decimalDigits.map((roi) => digitOf(roi.name)),
    pointers: pointerResults,
    confidence: reading.confidence,
    ...(reading.status === 'flagged' ? { lowConfidenceReason: reading.reason ?? 'flagged as low confidence' } : {}),
    // annotateImage draws neither quality figures nor alignment details.
    quality: reading.quality ?? { brightness: 0, contrast: 0, sharpness: 0, glare: 0 },
    alignment: null,
    durationMs: reading.processingMs ?? 0,
  };
}
