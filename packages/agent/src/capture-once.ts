import { existsSync } from 'node:fs';
import path from 'node:path';
import { annotateImage, checkPlausibility, MeterReader, type MeterReadResult, VisionError } from '@metervision/vision';
import type { Logger } from 'pino';
import sharp from 'sharp';
import { createCaptureSource, captureWithRetry } from './capture/index.ts';
import type { AgentConfig } from './config/load.ts';
import { errorMessage } from './errors.ts';
import { DATABASE_FILE, openAgentDatabase } from './outbox/db.ts';
import { type PreviousValue, StateStore } from './outbox/state.ts';

/** Result of `capture-once`, printable as text or JSON. */
export interface CaptureOnceSummary {
  origin: string;
  status: 'accepted' | 'flagged' | 'rejected' | 'failed';
  value: number | null;
  text: string | null;
  confidence: number | null;
  reason: string | null;
  previous: PreviousValue | null;
  digits: string | null;
  durationMs: number | null;
}

/**
 * Captures and reads one image without queuing, publishing or changing state: for installers
 * checking the camera and the layout. The plausibility verdict uses the stored previous value,
 * read only.
 */
export async function captureOnce(
  config: AgentConfig,
  options: { logger: Logger },
): Promise<{ summary: CaptureOnceSummary; annotated: Buffer | null }> {
  const previous = readPreviousValue(config.stateDir);
  const seen = { has: () => false, add: () => undefined };
  const source = createCaptureSource(config.source, { seen });
  const { captured } = await captureWithRetry(source, config.device.capture, config.retry, { logger: options.logger });

  const reader = await MeterReader.create({ workers: 1, logger: options.logger });
  let result: MeterReadResult;
  try {
    result = await reader.read(captured.image, config.device.layout);
  } catch (error) {
    const details = error instanceof VisionError ? ` ${JSON.stringify(error.details)}` : '';
    const reason = `${captured.origin}: ${errorMessage(error)}${details}`;
    const annotated = await annotateImage(captured.image, config.device.layout, null).catch(() => null);
    return { summary: summary(captured.origin, 'failed', null, reason, previous), annotated };
  } finally {
    await reader.close();
  }

  const verdict = judge(result, config, previous, captured.capturedAt);
  const annotated = await annotateImage(captured.image, config.device.layout, result);
  return { summary: summary(captured.origin, verdict.status, result, verdict.reason, previous), annotated };
}

function judge(result: MeterReadResult, config: AgentConfig, previous: PreviousValue | null, at: Date) {
  if (result.value === null) return { status: 'failed' as const, reason: 'no value could be read' };
  if (result.confidence < config.device.layout.minConfidence) {
    return { status: 'flagged' as const, reason: result.lowConfidenceReason ?? 'low confidence' };
  }
  const check = checkPlausibility(
    { value: result.value, at },
    previous ? { value: previous.value, at: new Date(previous.at) } : null,
    config.device.plausibility,
  );
  return check.accepted ? { status: 'accepted' as const, reason: null } : { status: 'rejected' as const, reason: check.reason };
}

function readPreviousValue(stateDir: string): PreviousValue | null {
  if (!existsSync(path.join(stateDir, DATABASE_FILE))) return null;

  const db = openAgentDatabase(stateDir);
  try {
    return new StateStore(db).previousValue;
  } finally {
    db.close();
  }
}

function summary(
  origin: string,
  status: CaptureOnceSummary['status'],
  result: MeterReadResult | null,
  reason: string | null,
  previous: PreviousValue | null,
): CaptureOnceSummary {
  const digits = result
    ? [...result.digits, ...result.decimalDigits].map((digit) => digit.value ?? '?').join('') +
      (result.pointers.length > 0 ? ` + pointers ${result.pointers.map((pointer) => pointer.value.toFixed(1)).join(' ')}` : '')
    : null;
  return {
    origin,
    status,
    value: result?.value ?? null,
    text: result?.text ?? null,
    confidence: result?.confidence ?? null,
    reason,
    previous,
    digits,
    durationMs: result?.durationMs ?? null,
  };
}

/** Human-readable lines of a capture-once result. */
export function formatCaptureOnce(summary: CaptureOnceSummary, annotatedFile: string | null): string {
  const lines = [
    `image: ${summary.origin}`,
    `status: ${summary.status}${summary.reason ? ` (${summary.reason})` : ''}`,
    `value: ${summary.text ?? '-'}${summary.confidence !== null ? `  confidence ${summary.confidence.toFixed(2)}` : ''}`,
  ];
  if (summary.digits) lines.push(`digits: ${summary.digits}`);
  if (summary.previous) lines.push(`previous value: ${summary.previous.value} at ${summary.previous.at}`);
  if (summary.durationMs !== null) lines.push(`read in ${Math.round(summary.durationMs)} ms`);
  if (annotatedFile) lines.push(`annotated image: ${annotatedFile}`);
  return lines.join('\n');
}

/** Image formats `capture-once --output` writes, by file extension (lower case). */
const OUTPUT_FORMATS = { '.jpg': 'jpeg', '.jpeg': 'jpeg', '.png': 'png', '.webp': 'webp' } as const;

type OutputFormat = (typeof OUTPUT_FORMATS)[keyof typeof OUTPUT_FORMATS];

/** Returns the format `file`'s extension names, or null when it names none that can be written. */
export function outputFormatOf(file: string): OutputFormat | null {
  const extension = path.extname(file).toLowerCase();
  return Object.hasOwn(OUTPUT_FORMATS, extension) ? OUTPUT_FORMATS[extension as keyof typeof OUTPUT_FORMATS] : null;
}

/** Accepted extensions joined for messages: `.jpg, .jpeg, .png or .webp`. */
export const OUTPUT_EXTENSIONS = Object.keys(OUTPUT_FORMATS).join(', ').replace(/, (?=[^,]*$)/, ' or ');

/** Re-encodes the annotated image, which is a JPEG, when the output file names another format. */
export async function encodeAnnotated(jpeg: Buffer, format: OutputFormat): Promise<Buffer> {
  if (format === 'jpeg') return jpeg;
  return format === 'png' ? sharp(jpeg).png().toBuffer() : sharp(jpeg).webp().toBuffer();
}
