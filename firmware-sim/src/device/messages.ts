import { randomUUID } from 'node:crypto';
import {
  encodePayload,
  type DeviceError,
  type EmbeddedImage,
  type HeartbeatMessageInput,
  type ReadingMessageInput,
} from '@metervision/protocol';
import type { MeterReading } from '../render/reading.ts';

/** Confidence the simulator reports for an accepted reading; a flagged one gets LOW_CONFIDENCE. */
const HIGH_CONFIDENCE = 0.97;
const LOW_CONFIDENCE = 0.35;

export interface ReadingInput {
  capturedAt: Date;
  shown: MeterReading;
  /** Wheels before the decimal point; the rest of the wheels are decimal wheels. */
  integerWheels: number;
  status: 'accepted' | 'flagged' | 'rejected' | 'failed';
  reasonCode?: string;
  reason?: string;
  meterSerial?: string;
  configVersion: number | null;
  image?: EmbeddedImage;
  processingMs: number;
}

/**
 * Builds a reading message as a perfect reader would report it: the wheels as the text shows them
 * and the dials at their exact positions. Only `accepted` carries `value`; `failed` carries nothing read.
 */
export function readingMessage(input: ReadingInput): ReadingMessageInput {
  const { shown, status } = input;
  const failed = status === 'failed';
  const digitsText = shown.text.replace('.', '');

  return {
    v: 1,
    readingId: randomUUID(),
    meterSerial: input.meterSerial,
    capturedAt: input.capturedAt.toISOString(),
    status,
    value: status === 'accepted' ? shown.value : null,
    text: status === 'accepted' ? shown.text : null,
    rawValue: failed ? null : shown.value,
    rawText: failed ? null : shown.text,
    unit: 'm3',
    confidence: readingConfidence(status),
    reasonCode: input.reasonCode,
    reason: input.reason,
    digits: failed ? [] : shown.wheelPositions.map((_, index) => ({ name: wheelName(index, input.integerWheels), value: Number(digitsText[index]), confidence: HIGH_CONFIDENCE })),
    pointers: failed ? [] : shown.pointerPositions.map((position, index) => ({ name: `ana${index + 1}`, value: position, confidence: HIGH_CONFIDENCE })),
    configVersion: input.configVersion,
    image: input.image,
    processingMs: input.processingMs,
  };
}

function readingConfidence(status: ReadingInput['status']): number {
  if (status === 'failed') return 0;
  if (status === 'flagged') return LOW_CONFIDENCE;
  return HIGH_CONFIDENCE;
}

/** Wheel names as `renderMeter` writes them in the layout: `dig1`... then `dec1`... */
function wheelName(index: number, integerWheels: number): string {
  return index < integerWheels ? `dig${index + 1}` : `dec${index - integerWheels + 1}`;
}

export interface HealthSnapshot {
  firmwareVersion: string;
  uptimeSeconds: number;
  signalDbm: number;
  freeMemoryBytes: number;
  lastCaptureAt: Date | null;
  lastError: DeviceError | null;
  outboxPending: number;
  outboxDropped: number;
  configVersion: number | null;
  captureFailures: number;
}

export function heartbeatMessage(health: HealthSnapshot, sentAt: Date): HeartbeatMessageInput {
  return {
    v: 1,
    sentAt: sentAt.toISOString(),
    ...health,
    lastCaptureAt: health.lastCaptureAt?.toISOString() ?? null,
  };
}

/** Serialises a status message; `reason` only on an intended `offline`. */
export function statusPayload(state: 'online' | 'offline', at: Date, reason?: string): string {
  return encodePayload('status', { v: 1, state, at: at.toISOString(), reason });
}
