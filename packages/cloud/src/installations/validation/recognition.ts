import type { DigitResult, MeterLayout, PointerResult, Roi } from '@metervision/protocol';
import type { MeterReadResult } from '@metervision/vision';
import type { ImageReader } from '../../readings/image-reader.ts';
import type { InstallationSettings } from '../settings.ts';
import type { Check } from '../types.ts';
import { makeCheck, round } from './checks.ts';

export interface RecognitionOutcome {
  checks: Check[];
  /** What the reader read; null when it could not read the image. */
  result: MeterReadResult | null;
}

interface VisionFailure {
  name: 'VisionError';
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/**
 * Stage 3: reads the image with the meter's layout and checks that every ROI lies inside the
 * image, the alignment marks were found, each wheel and dial was read with enough confidence
 * and a value came out.
 */
export async function recognitionChecks(
  reader: ImageReader,
  image: Buffer,
  size: { width: number; height: number },
  layout: MeterLayout | null,
  settings: InstallationSettings,
): Promise<RecognitionOutcome> {
  if (!layout) {
    const check = makeCheck('layout_configured', 'failed', {
      measured: false,
      threshold: { equals: 'a layout' },
      message: 'The meter has no layout, so the cloud does not know where the wheels are.',
      advice: 'Draw the layout on this image and save it with PATCH /meters/{serial_number}, then validate again.',
    });
    return { checks: [check], result: null };
  }

  const placement = roiCheck(layout, size);
  if (placement.status === 'failed') return { checks: [placement], result: null };

  let result: MeterReadResult;
  try {
    result = await reader.read(image, layout);
  } catch (error) {
    return { checks: [placement, readFailureCheck(error)], result: null };
  }

  const minConfidence = settings.minDigitConfidence ?? layout.minConfidence;
  const checks = [placement, alignmentCheck(layout, result), elementCheck('digits_confidence', 'wheel', [...result.digits, ...result.decimalDigits], minConfidence)];
  if (result.pointers.length > 0) checks.push(elementCheck('pointers_confidence', 'dial', result.pointers, minConfidence));
  checks.push(valueCheck(result));
  return { checks, result };
}

function roiCheck(layout: MeterLayout, size: { width: number; height: number }): Check {
  const frame = layout.frame;
  if (frame && (frame.width !== size.width || frame.height !== size.height)) {
    return makeCheck('rois_inside_image', 'failed', {
      measured: `${size.width}x${size.height}`,
      threshold: { equals: `${frame.width}x${frame.height}` },
      unit: 'pixels',
      message: `The image is ${size.width}x${size.height} pixels but the layout was drawn on ${frame.width}x${frame.height}.`,
      advice: `Set the camera resolution to ${frame.width}x${frame.height}, or redraw the layout on an image of this camera.`,
    });
  }

  const rois: Roi[] = [...layout.digits, ...layout.decimalDigits, ...layout.pointers, ...(layout.alignment?.marks ?? [])];
  const outside = rois.filter((roi) => roi.x + roi.width > size.width || roi.y + roi.height > size.height).map((roi) => roi.name);
  return makeCheck('rois_inside_image', outside.length === 0 ? 'passed' : 'failed', {
    measured: outside.length,
    threshold: { max: 0 },
    unit: 'ROIs outside',
    message: outside.length === 0 ? `All ${rois.length} ROIs lie inside the image.` : `ROIs outside the ${size.width}x${size.height} image: ${outside.join(', ')}.`,
    advice: 'Redraw the layout on an image of this camera, or raise the camera resolution to the one the layout was drawn on.',
  });
}

function readFailureCheck(error: unknown): Check {
  const failure = error as Partial<VisionFailure>;
  if (failure.name !== 'VisionError') {
    return makeCheck('image_read', 'failed', {
      measured: false,
      threshold: null,
      message: `The image could not be read on the server: ${(error as Error).message}`,
      advice: 'Validate again in a minute; if it keeps failing, the server-side reader needs attention from an operator.',
    });
  }

  if (failure.code === 'alignment_failed') {
    const similarity = typeof failure.details?.similarity === 'number' ? round(failure.details.similarity) : null;
    const minimum = typeof failure.details?.minSimilarity === 'number' ? failure.details.minSimilarity : undefined;
    return makeCheck('alignment_marks', 'failed', {
      measured: similarity,
      threshold: minimum === undefined ? null : { min: minimum },
      unit: 'similarity (0-1)',
      message: `Alignment mark ${String(failure.details?.mark ?? '')} was not found: ${failure.message}`,
      advice: 'Make sure the alignment marks are visible, clean and lit, and that the camera points at the meter as when the layout was drawn.',
    });
  }

  return makeCheck('image_read', 'failed', {
    measured: failure.code ?? null,
    threshold: null,
    message: `The image could not be read with the layout: ${failure.message}`,
    advice: 'Redraw the layout on an image of this camera, then validate again.',
  });
}

function alignmentCheck(layout: MeterLayout, result: MeterReadResult): Check {
  if (!layout.alignment || !result.alignment) {
    return makeCheck('alignment_marks', 'warning', {
      measured: null,
      threshold: null,
      message: 'The layout has no alignment marks, so a camera that shifts will read the wrong place.',
      advice: 'Add one or two alignment marks (a sticker or a screw head) to the layout.',
    });
  }

  const weakest = Math.min(...result.alignment.marks.map((mark) => mark.similarity));
  return makeCheck('alignment_marks', 'passed', {
    measured: round(weakest),
    threshold: { min: layout.alignment.minSimilarity },
    unit: 'similarity (0-1)',
    message: `All ${result.alignment.marks.length} alignment marks were found (weakest similarity ${round(weakest)}).`,
  });
}

/** Grades the weakest wheel or dial; names every one that was not read or read below the minimum. */
function elementCheck(id: string, kind: 'wheel' | 'dial', elements: (DigitResult | PointerResult)[], minConfidence: number): Check {
  const weak = elements.filter((element) => element.value === null || element.confidence < minConfidence);
  const weakest = elements.length === 0 ? null : round(Math.min(...elements.map((element) => element.confidence)));
  const described = weak.map((element) => (element.value === null ? `${element.name} (not read)` : `${element.name} (${round(element.confidence)})`));

  return makeCheck(id, weak.length === 0 ? 'passed' : 'failed', {
    measured: weakest,
    threshold: { min: minConfidence },
    unit: 'confidence (0-1)',
    message: weak.length === 0 ? `All ${elements.length} ${kind}s were read with confidence ${weakest} or more.` : `${capitalize(kind)}s read below confidence ${minConfidence}: ${described.join(', ')}.`,
    advice:
      kind === 'wheel'
        ? 'If a wheel is turning between two digits, validate again once it has settled; otherwise check that each ROI frames one whole wheel, refocus and light the counter evenly.'
        : 'Check that each dial ROI frames the whole dial with its needle, and light the dials evenly.',
  });
}

function valueCheck(result: MeterReadResult): Check {
  const read = result.value !== null;
  return makeCheck('value_read', read ? 'passed' : 'failed', {
    measured: result.text ?? result.value,
    threshold: null,
    message: read ? `The meter reads ${result.text ?? result.value}.` : `No value could be composed: ${result.lowConfidenceReason ?? 'a wheel or dial was not read'}.`,
    advice: 'Fix the wheels and dials listed above, then validate again.',
  });
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
