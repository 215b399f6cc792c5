import { randomUUID } from 'node:crypto';
import {
  type DeviceConfig,
  type DeviceError,
  type MeterLayout,
  type ReadingMessage,
  readingMessageSchema,
  topics,
} from '@metervision/protocol';
import { checkPlausibility, type MeterReadResult, VisionError } from '@metervision/vision';
import type { Logger } from 'pino';
import type { RetrySettings } from './config/schema.ts';
import { type CapturedImage, type CaptureSource, captureWithRetry, isIdle } from './capture/index.ts';
import { CaptureError, errorMessage } from './errors.ts';
import { buildEvidence } from './evidence.ts';
import type { Outbox } from './outbox/outbox.ts';
import type { StateStore } from './outbox/state.ts';

/** Reader of an image with a layout, in practice `MeterReader` from `@metervision/vision`. */
export interface ImageReader {
  read(image: Buffer, layout: MeterLayout): Promise<MeterReadResult>;
}

export interface PipelineContext {
  deviceId: string;
  source: CaptureSource;
  reader: ImageReader;
  state: StateStore;
  outbox: Outbox;
  retry: RetrySettings;
  /** The configuration in use, read at the start of each cycle. */
  config(): { device: DeviceConfig; remoteVersion: number | null };
  /** Called after a reading is queued, to publish it at once when connected. */
  onQueued(): void;
  logger: Logger;
}

/** Outcome of one cycle. */
export type CycleOutcome =
  | { kind: 'reading'; reading: ReadingMessage; captured: CapturedImage; result: MeterReadResult | null }
  | { kind: 'capture_failed'; error: DeviceError; attempts: number }
  | { kind: 'idle' };

/**
 * One capture cycle as named steps: capture (with retries) → read → check → enqueue → publish.
 * Never throws for bad images or failed captures: a capture failure comes back as
 * `capture_failed`, an unreadable image as a `failed` reading naming the file and the problem.
 */
export async function runCycle(context: PipelineContext, signal?: AbortSignal): Promise<CycleOutcome> {
  const { device, remoteVersion } = context.config();

  const capture = await captureStep(context, device, signal);
  if (capture.kind !== 'captured') return capture.outcome;

  const read = await readStep(context, capture.captured, device.layout);
  const reading = await checkStep(context, capture.captured, read, device, remoteVersion);
  enqueueStep(context, reading, capture.captured);
  context.onQueued();

  return { kind: 'reading', reading, captured: capture.captured, result: read.ok ? read.result : null };
}

type CaptureStepResult = { kind: 'captured'; captured: CapturedImage } | { kind: 'done'; outcome: CycleOutcome };

async function captureStep(context: PipelineContext, device: DeviceConfig, signal?: AbortSignal): Promise<CaptureStepResult> {
  try {
    const { captured, attempts } = await captureWithRetry(context.source, device.capture, context.retry, {
      logger: context.logger,
      signal,
    });
    context.logger.debug({ origin: captured.origin, bytes: captured.image.length, attempts }, 'captured');
    return { kind: 'captured', captured };
  } catch (error) {
    if (isIdle(error)) return { kind: 'done', outcome: { kind: 'idle' } };

    const code = error instanceof CaptureError ? `capture_${error.code}` : 'capture_failed';
    const deviceError = { code, message: errorMessage(error).slice(0, 500), at: new Date().toISOString() };
    context.logger.error({ code, err: deviceError.message, attempts: context.retry.attempts }, 'capture failed after every attempt');
    return { kind: 'done', outcome: { kind: 'capture_failed', error: deviceError, attempts: context.retry.attempts } };
  }
}

type ReadStepResult = { ok: true; result: MeterReadResult } | { ok: false; code: string; reason: string };

async function readStep(context: PipelineContext, captured: CapturedImage, layout: MeterLayout): Promise<ReadStepResult> {
  try {
    return { ok: true, result: await context.reader.read(captured.image, layout) };
  } catch (error) {
    const code = error instanceof VisionError ? error.code : 'read_failed';
    const details = error instanceof VisionError ? describeDetails(error.details) : '';
    const reason = `${captured.origin}: ${errorMessage(error)}${details}`;
    context.logger.error({ origin: captured.origin, code, err: errorMessage(error) }, 'image could not be read');
    return { ok: false, code, reason };
  }
}

/** Builds the reading: failed, flagged (low confidence), rejected (plausibility) or accepted. */
async function checkStep(
  context: PipelineContext,
  captured: CapturedImage,
  read: ReadStepResult,
  device: DeviceConfig,
  remoteVersion: number | null,
): Promise<ReadingMessage> {
  const base = {
    v: 1 as const,
    readingId: randomUUID(),
    meterSerial: device.meterSerial,
    capturedAt: captured.capturedAt.toISOString(),
    unit: device.layout.unit,
    configVersion: remoteVersion,
  };
  const verdict = judge(context, captured, read, device);
  const image = await buildEvidence(captured.image, verdict.status, device.evidence);

  if (!read.ok) {
    return parseReading({ ...base, status: 'failed', value: null, text: null, rawValue: null, rawText: null, confidence: 0, reasonCode: read.code, reason: read.reason.slice(0, 500), image });
  }

  const result = read.result;
  return parseReading({
    ...base,
    status: verdict.status,
    value: verdict.status === 'accepted' ? result.value : null,
    text: verdict.status === 'accepted' ? result.text : null,
    rawValue: result.value,
    rawText: result.text,
    confidence: result.confidence,
    reasonCode: verdict.reasonCode,
    reason: verdict.reason?.slice(0, 500),
    digits: [...result.digits, ...result.decimalDigits],
    pointers: result.pointers,
    quality: result.quality,
    image,
    processingMs: result.durationMs,
  });
}

interface Verdict {
  status: ReadingMessage['status'];
  reasonCode?: string;
  reason?: string;
}

function judge(context: PipelineContext, captured: CapturedImage, read: ReadStepResult, device: DeviceConfig): Verdict {
  if (!read.ok) return { status: 'failed', reasonCode: read.code, reason: read.reason };

  const result = read.result;
  if (result.value === null) {
    const unread = [...result.digits, ...result.decimalDigits].filter((digit) => digit.value === null).map((digit) => digit.name);
    return { status: 'failed', reasonCode: 'unreadable_digit', reason: `${captured.origin}: no value could be read (digits ${unread.join(', ') || 'unknown'})` };
  }
  if (result.confidence < device.layout.minConfidence) {
    const why = result.lowConfidenceReason ?? `confidence ${result.confidence.toFixed(2)} is below ${device.layout.minConfidence}`;
    return { status: 'flagged', reasonCode: 'low_confidence', reason: why };
  }

  const previous = context.state.previousValue;
  const verdict = checkPlausibility(
    { value: result.value, at: captured.capturedAt },
    previous ? { value: previous.value, at: new Date(previous.at) } : null,
    device.plausibility,
  );
  if (!verdict.accepted) return { status: 'rejected', reasonCode: verdict.code, reason: verdict.reason };
  return { status: 'accepted' };
}

/** Queues the reading, moves the previous value and marks the image consumed, in one transaction. */
function enqueueStep(context: PipelineContext, reading: ReadingMessage, captured: CapturedImage): void {
  context.state.transaction(() => {
    context.outbox.enqueue({
      messageId: reading.readingId,
      kind: 'readings',
      topic: topics.readings(context.deviceId),
      payload: JSON.stringify(reading),
      hasImage: reading.image !== undefined,
    });
    if (reading.status === 'accepted' && reading.value !== null) {
      context.state.previousValue = { value: reading.value, at: reading.capturedAt };
    }
    captured.commit?.();
  });

  context.logger.info(
    { readingId: reading.readingId, status: reading.status, value: reading.value, rawValue: reading.rawValue, reasonCode: reading.reasonCode },
    'reading queued',
  );
}

function parseReading(input: unknown): ReadingMessage {
  return readingMessageSchema.parse(input);
}

function describeDetails(details: Record<string, unknown>): string {
  const entries = Object.entries(details).filter(([key, value]) => key !== 'cause' && ['string', 'number', 'boolean'].includes(typeof value));
  return entries.length > 0 ? ` (${entries.map(([key, value]) => `${key}=${String(value)}`).join(', ')})` : '';
}
