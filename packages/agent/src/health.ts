import type { DeviceError } from '@metervision/protocol';
import type { HealthState } from './heartbeat.ts';
import type { CycleOutcome } from './pipeline.ts';

/** Starts the health figures reported in heartbeats. */
export function createHealth(now = Date.now()): HealthState {
  return { startedAt: now, lastCaptureAt: null, lastError: null, captureFailures: 0, clockSkewMs: null, clockSynchronized: null };
}

/**
 * Updates the health figures after a cycle. A successful capture resets the failure count and
 * the last error; a failed reading (unreadable image) records its reason as the last error.
 */
export function recordOutcome(health: HealthState, outcome: CycleOutcome): void {
  if (outcome.kind === 'idle') return;

  if (outcome.kind === 'capture_failed') {
    health.captureFailures += 1;
    health.lastError = outcome.error;
    return;
  }

  health.captureFailures = 0;
  health.lastCaptureAt = outcome.reading.capturedAt;
  health.lastError = outcome.reading.status === 'failed' ? readingError(outcome.reading) : null;
}

function readingError(reading: { reasonCode?: string; reason?: string; capturedAt: string }): DeviceError {
  return { code: reading.reasonCode ?? 'read_failed', message: reading.reason ?? 'no value could be read', at: reading.capturedAt };
}
