import { setTimeout as sleep } from 'node:timers/promises';
import type { CaptureSettings } from '@metervision/protocol';
import type { Logger } from 'pino';
import type { RetrySettings } from '../config/schema.ts';
import { CaptureError, errorMessage } from '../errors.ts';
import type { CapturedImage, CaptureSource } from './types.ts';

/** Share of each backoff delay added or removed at random, so many devices do not retry in step. */
const JITTER = 0.2;

/** Delay before retry number `retry` (1 = the first retry), in milliseconds, without jitter. */
export function backoffDelayMs(retry: number, settings: RetrySettings): number {
  return Math.min(settings.initialDelayMs * 2 ** (retry - 1), settings.maxDelayMs);
}

export interface CaptureAttemptsResult {
  captured: CapturedImage;
  attempts: number;
}

/**
 * Captures one image, retrying with exponential backoff. Throws the last error when every
 * attempt failed; a folder with no new file is not retried (it is not a failure). When `signal`
 * aborts (shutdown), no further attempt starts; an attempt in progress runs to its own timeout.
 */
export async function captureWithRetry(
  source: CaptureSource,
  settings: CaptureSettings,
  retry: RetrySettings,
  options: { logger: Logger; signal?: AbortSignal; random?: () => number },
): Promise<CaptureAttemptsResult> {
  const random = options.random ?? Math.random;
  let lastError: unknown;

  for (let attempt = 1; attempt <= retry.attempts; attempt += 1) {
    try {
      return { captured: await source.capture(settings), attempts: attempt };
    } catch (error) {
      lastError = error;
      if (isIdle(error) || options.signal?.aborted || attempt === retry.attempts) break;

      const delay = Math.round(backoffDelayMs(attempt, retry) * (1 + JITTER * (2 * random() - 1)));
      options.logger.warn(
        { attempt, attempts: retry.attempts, delayMs: delay, code: error instanceof CaptureError ? error.code : undefined, err: errorMessage(error) },
        'capture failed, retrying',
      );
      await sleep(delay, undefined, { signal: options.signal }).catch(() => undefined);
      if (options.signal?.aborted) break;
    }
  }
  throw lastError;
}

/** Returns whether a capture error only means there is nothing new to read. */
export function isIdle(error: unknown): boolean {
  return error instanceof CaptureError && error.details.idle === true;
}
