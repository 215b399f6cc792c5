import { randomUUID } from 'node:crypto';
import type { ReadingMessageInput } from '@metervision/protocol';

/** Builds a valid accepted reading message with a fresh reading id; `overrides` replace any field. */
export function readingMessage(overrides: Partial<ReadingMessageInput> = {}): ReadingMessageInput {
  return {
    v: 1,
    readingId: randomUUID(),
    capturedAt: new Date().toISOString(),
    status: 'accepted',
    value: 123.45,
    text: '00123.45',
    rawValue: 123.45,
    rawText: '00123.45',
    confidence: 0.93,
    ...overrides,
  };
}
