import { randomUUID } from 'node:crypto';
import { DEFAULT_PLAUSIBILITY_RULES, type MeterLayout } from '@metervision/protocol';
import { checkPlausibility, VisionError, type MeterReadResult } from '@metervision/vision';
import type { MeterRow } from '../assets/meters.repo.ts';
import type { AppDeps } from '../http/context.ts';
import { HttpError } from '../http/errors.ts';
import { checkUploadedImage } from './image-check.ts';
import { ReaderUnavailableError } from './image-reader.ts';
import type { NewReading, ReadingRow } from './readings.repo.ts';

/** Vision error codes meaning the photo and the layout do not fit, so the request fails with 422 and nothing is stored. */
const LAYOUT_MISMATCH_CODES = new Set(['invalid_image', 'frame_mismatch', 'roi_outside_image']);

type Outcome = Pick<NewReading, 'status' | 'value' | 'text' | 'rawValue' | 'rawText' | 'confidence' | 'reasonCode' | 'reason' | 'digits' | 'pointers' | 'quality' | 'processingMs'>;

/**
 * Reads an uploaded photo of `meter` on the server and stores the reading with its image.
 * Steps: check the file, decode it once, read it with the meter's layout, classify, store.
 */
export async function storeUploadedReading(deps: AppDeps, meter: MeterRow, file: Buffer, uploadedBy: number): Promise<ReadingRow> {
  if (!meter.layout) {
    throw new HttpError(409, `Meter ${meter.serialNumber} has no layout: set one with PATCH /meters/${meter.serialNumber} first`);
  }

  const limits = { maxBytes: deps.options.maxUploadBytes, maxPixels: deps.options.maxImagePixels };
  const image = await checkUploadedImage(file, limits);

  const now = new Date();
  const outcome = await checkAgainstPrevious(deps, meter, await readPhoto(deps, meter.layout, file), now);
  const id = randomUUID();
  const imagePath = await deps.evidence.save(meter.organizationId, meter.id, id, image.contentType, file);

  const reading: NewReading = {
    ...outcome,
    id,
    organizationId: meter.organizationId,
    meterId: meter.id,
    uploadedBy,
    source: 'upload',
    unit: meter.layout.unit ?? meter.unit,
    capturedAt: now,
    receivedAt: now,
    imagePath,
    imageContentType: image.contentType,
  };
  await deps.repos.readings.insertOnce(reading);
  return (await deps.repos.readings.findForMeter(meter.id, id))!;
}

async function readPhoto(deps: AppDeps, layout: MeterLayout, file: Buffer): Promise<Outcome> {
  let result: MeterReadResult;
  try {
    result = await deps.reader.read(file, layout);
  } catch (error) {
    if (error instanceof ReaderUnavailableError) throw new HttpError(503, 'Server-side reading is unavailable right now: try again later', { cause: error });

    if (!(error instanceof VisionError)) throw error;
    if (error.code === 'image_too_large') throw new HttpError(413, `The photo is too large to read: ${error.message}`, { cause: error });
    if (LAYOUT_MISMATCH_CODES.has(error.code)) {
      throw new HttpError(422, `The photo cannot be read with this meter's layout (${error.code}): ${error.message}`, { cause: error });
    }
    return failedOutcome(error.code, error.message);
  }
  return classify(result, layout);
}

function failedOutcome(code: string, message: string): Outcome {
  return {
    status: 'failed',
    value: null,
    text: null,
    rawValue: null,
    rawText: null,
    confidence: 0,
    reasonCode: code,
    reason: message.slice(0, 500),
    digits: [],
    pointers: [],
    quality: null,
    processingMs: null,
  };
}

/**
 * Rejects an accepted value that breaks the meter's plausibility rules against the latest
 * accepted reading. A meter without rules gets the defaults the agent applies too, so a value
 * lower than the previous one is rejected unless the meter allows it.
 */
async function checkAgainstPrevious(deps: AppDeps, meter: MeterRow, outcome: Outcome, at: Date): Promise<Outcome> {
  if (outcome.status !== 'accepted' || outcome.value == null) return outcome;

  const previous = await deps.repos.readings.latestAccepted(meter.id);
  const verdict = checkPlausibility(
    { value: outcome.value, at },
    previous?.value == null ? null : { value: previous.value, at: previous.capturedAt },
    meter.plausibility ?? DEFAULT_PLAUSIBILITY_RULES,
  );
  if (verdict.accepted) return outcome;
  return { ...outcome, status: 'rejected', value: null, text: null, reasonCode: verdict.code, reason: verdict.reason };
}

function classify(result: MeterReadResult, layout: MeterLayout): Outcome {
  const base = {
    text: null,
    rawValue: result.value,
    rawText: result.text,
    confidence: result.confidence,
    digits: [...result.digits, ...result.decimalDigits],
    pointers: result.pointers,
    quality: result.quality,
    processingMs: result.durationMs,
  };

  if (result.value === null) {
    return { ...base, status: 'failed', value: null, reasonCode: 'unreadable_digit', reason: result.lowConfidenceReason ?? 'a digit could not be read' };
  }
  if (result.confidence < layout.minConfidence) {
    return { ...base, status: 'flagged', value: null, reasonCode: 'low_confidence', reason: result.lowConfidenceReason ?? `confidence ${result.confidence.toFixed(2)} below ${layout.minConfidence}` };
  }
  return { ...base, status: 'accepted', value: result.value, text: result.text, reasonCode: null, reason: null };
}
