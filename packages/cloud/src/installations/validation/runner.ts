import type { Logger } from 'pino';
import type { MetersRepo } from '../../assets/meters.repo.ts';
import type { InstallationEventsRepo } from '../events.repo.ts';
import type { InstallationRow, InstallationsRepo } from '../installations.repo.ts';
import { STAGE_NAMES, type Check, type StageName, type StageRecord, type ValidationRecord } from '../types.ts';
import { makeCheck, stageStatusOf } from './checks.ts';
import { STAGES, type StageContext, type StageDeps } from './stages.ts';

export interface RunnerDeps extends StageDeps {
  installations: InstallationsRepo;
  events: InstallationEventsRepo;
  meters: MetersRepo;
  logger: Logger;
}

/** A fresh record for run `run`: every stage pending. */
export function newValidationRecord(run: number, requestedBy: number | null, expectedValue: number | null, confirmedSerial: string | null): ValidationRecord {
  const stages: StageRecord[] = STAGE_NAMES.map((name) => ({ name, status: 'pending', startedAt: null, finishedAt: null, durationMs: null, checks: [], skippedReason: null }));
  return { run, status: 'running', requestedBy, startedAt: new Date().toISOString(), finishedAt: null, durationMs: null, expectedValue, confirmedSerial, stages, image: null };
}

/** The validation run was overtaken (cancelled session or newer run); its results are dropped. */
class RunOvertaken extends Error {
  override name = 'RunOvertaken';
}

/**
 * Runs validations in the background, one list of named steps per run: connectivity → image
 * quality → recognition → verification. Progress is stored after every stage, so the status
 * route shows it while the run goes on; a stage after a failed one is skipped with the reason.
 */
export class ValidationRunner {
  private readonly running = new Set<Promise<void>>();
  private readonly logger: Logger;

  constructor(private readonly deps: RunnerDeps) {
    this.logger = deps.logger.child({ module: 'installation-validation' });
  }

  /** Starts run `record.run` of an installation already moved to `validating`; returns at once. */
  start(installation: InstallationRow, record: ValidationRecord): void {
    const work = this.run(installation, record).catch((error: unknown) => {
      if (error instanceof RunOvertaken) {
        this.logger.info({ installationId: installation.id, run: record.run }, 'validation run overtaken; results dropped');
        return;
      }
      this.logger.error({ err: error, installationId: installation.id, run: record.run }, 'validation run failed');
    });
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  /** Resolves when every run started so far has finished. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  private async run(installation: InstallationRow, record: ValidationRecord): Promise<void> {
    const started = performance.now();
    const meter = await this.deps.meters.findById(installation.meterId);
    if (!meter) throw new Error(`meter ${installation.meterId} of installation ${installation.id} no longer exists`);

    const context: StageContext = { installation, meter, run: record.run, expectedValue: record.expectedValue, confirmedSerial: record.confirmedSerial, image: null, reading: null };
    this.logger.info({ installationId: installation.id, run: record.run, deviceId: installation.deviceId }, 'validation started');

    let failedStage: StageName | null = null;
    for (const stage of record.stages) {
      if (failedStage) {
        stage.status = 'skipped';
        stage.skippedReason = `skipped because the ${failedStage.replace('_', ' ')} stage failed`;
        continue;
      }
      await this.runStage(stage, context, record);
      if (stage.status === 'failed') failedStage = stage.name;
    }

    record.status = failedStage ? 'failed' : 'passed';
    record.finishedAt = new Date().toISOString();
    record.durationMs = Math.round(performance.now() - started);
    record.image = context.image?.evidence ?? null;
    await this.save(installation.id, record, failedStage ? 'validation_failed' : 'validated');
    await this.deps.events.record(installation.id, 'validation_finished', { kind: 'system' }, { run: record.run, result: record.status, failed_stage: failedStage, duration_ms: record.durationMs });
    this.logger.info({ installationId: installation.id, run: record.run, result: record.status, failedStage, durationMs: record.durationMs }, 'validation finished');
  }

  private async runStage(stage: StageRecord, context: StageContext, record: ValidationRecord): Promise<void> {
    const started = performance.now();
    stage.status = 'running';
    stage.startedAt = new Date().toISOString();
    await this.save(context.installation.id, record);

    stage.checks = await STAGES[stage.name](context, this.deps).catch((error: unknown) => [this.internalErrorCheck(stage.name, context, error)]);
    stage.status = stageStatusOf(stage.checks);
    stage.finishedAt = new Date().toISOString();
    stage.durationMs = Math.round(performance.now() - started);
    await this.save(context.installation.id, record);

    const failed = stage.checks.filter((check) => check.status === 'failed').map((check) => check.id);
    await this.deps.events.record(context.installation.id, 'stage_finished', { kind: 'system' }, { run: record.run, stage: stage.name, status: stage.status, failed_checks: failed });
  }

  private internalErrorCheck(stage: StageName, context: StageContext, error: unknown): Check {
    this.logger.error({ err: error, installationId: context.installation.id, stage }, 'validation stage crashed');
    return makeCheck('internal_error', 'failed', {
      measured: null,
      message: `The ${stage.replace('_', ' ')} stage could not run: ${(error as Error).message}`,
      advice: 'Validate again; if the error repeats, report it to an operator with the session id.',
    });
  }

  private async save(installationId: string, record: ValidationRecord, status?: 'validated' | 'validation_failed'): Promise<void> {
    const saved = await this.deps.installations.saveValidation(installationId, record.run, structuredClone(record), status);
    if (!saved) throw new RunOvertaken(`installation ${installationId} left validation run ${record.run}`);
  }
}
