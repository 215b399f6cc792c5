import { captureSettingsSchema } from '@metervision/protocol';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { retrySchema } from '../config/schema.ts';
import { CaptureError } from '../errors.ts';
import { backoffDelayMs, captureWithRetry } from './retry.ts';
import type { CaptureSource } from './types.ts';

const logger = pino({ level: 'silent' });
const settings = captureSettingsSchema.parse({});

/** A source that fails `failures` times, then returns an image; counts attempts. */
function flakySource(failures: number, code: 'timeout' | 'no_image_file' = 'timeout', idle = false) {
  let attempts = 0;
  const source: CaptureSource = {
    description: 'flaky',
    async capture() {
      attempts += 1;
      if (attempts <= failures) throw new CaptureError(code, 'cam', 'failed', { idle });
      return { image: Buffer.from([0xff, 0xd8, 0xff]), origin: 'cam', capturedAt: new Date() };
    },
  };
  return { source, attempts: () => attempts };
}

describe('capture retry', () => {
  it('doubles the delay up to the maximum', () => {
    const retry = retrySchema.parse({ initialDelayMs: 1_000, maxDelayMs: 5_000 });
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, retry))).toEqual([1_000, 2_000, 4_000, 5_000]);
  });

  it('succeeds after transient failures', async () => {
    const flaky = flakySource(2);
    const result = await captureWithRetry(flaky.source, settings, retrySchema.parse({ attempts: 3, initialDelayMs: 1 }), { logger });
    expect(result.attempts).toBe(3);
  });

  it('throws the last error after every attempt', async () => {
    const flaky = flakySource(5);
    const error = await captureWithRetry(flaky.source, settings, retrySchema.parse({ attempts: 2, initialDelayMs: 1 }), { logger }).catch(
      (caught: unknown) => caught,
    );
    expect((error as CaptureError).code).toBe('timeout');
    expect(flaky.attempts()).toBe(2);
  });

  it('does not retry an idle folder', async () => {
    const flaky = flakySource(5, 'no_image_file', true);
    await captureWithRetry(flaky.source, settings, retrySchema.parse({ attempts: 3, initialDelayMs: 1 }), { logger }).catch(() => undefined);
    expect(flaky.attempts()).toBe(1);
  });

  it('stops waiting on shutdown', async () => {
    const flaky = flakySource(5);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    await captureWithRetry(flaky.source, settings, retrySchema.parse({ attempts: 3, initialDelayMs: 60_000 }), {
      logger,
      signal: controller.signal,
    }).catch(() => undefined);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(flaky.attempts()).toBe(1);
  });
});
