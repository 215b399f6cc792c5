import type { ValidationRecord } from '../types.ts';
import { makeCheck } from './checks.ts';

/** Id of the check that marks the stage a shutdown interrupted. */
export const ABANDONED_CHECK_ID = 'validation_abandoned';

/** Reason stored in the `validation_finished` event of an abandoned run. */
export const ABANDONED_REASON = 'the cloud process shut down before the validation finished';

/**
 * Returns a copy of `record` closed as failed at `now`: the stage that was running (or, between
 * stages, the next one) fails with a `validation_abandoned` check and the later stages are
 * skipped. Returns null when every stage has finished, because the run is then only storing its
 * result.
 */
export function abandonedRecord(record: ValidationRecord, now: Date): ValidationRecord | null {
  const abandoned = structuredClone(record);
  const interrupted = abandoned.stages.find((stage) => stage.status === 'running' || stage.status === 'pending');
  if (!interrupted) return null;

  const stageName = interrupted.name.replace('_', ' ');
  interrupted.startedAt ??= now.toISOString();
  interrupted.status = 'failed';
  interrupted.finishedAt = now.toISOString();
  interrupted.durationMs = now.getTime() - new Date(interrupted.startedAt).getTime();
  interrupted.checks = [
    makeCheck(ABANDONED_CHECK_ID, 'failed', {
      measured: null,
      message: `The cloud shut down during the ${stageName} stage, so the validation was abandoned.`,
      advice: 'Validate again once the cloud is running.',
    }),
  ];

  for (const stage of abandoned.stages) {
    if (stage.status !== 'pending') continue;
    stage.status = 'skipped';
    stage.skippedReason = 'skipped because the validation was abandoned when the cloud shut down';
  }

  abandoned.status = 'failed';
  abandoned.finishedAt = now.toISOString();
  abandoned.durationMs = now.getTime() - new Date(abandoned.startedAt).getTime();
  return abandoned;
}
