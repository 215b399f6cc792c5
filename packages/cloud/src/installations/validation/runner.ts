import type { Logger } from 'pino';
import type { MetersRepo } from '../../assets/meters.repo.ts';
import type { InstallationEventsRepo } from '../events.repo.ts';
import type { InstallationRow, InstallationsRepo } from '../installations.repo.ts';
import { STAGE_NAMES, type Check, type StageName, type StageRecord, type ValidationRecord } from '../types.ts';
import { ABANDONED_REASON, abandonedRecord } from './abandon.ts';
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

/** The validation run was overtaken (cancelled session, newer run, or abandoned); its results are dropped. */
class RunOvertaken extends Error {
  override name = 'RunOvertaken';
}

/** A run in progress, kept so that shutdown can wait for it or abandon it. */
interface ActiveRun {
  installationId: string;
  /** The record the run updates as it goes; abandonment copies it. */
  record: ValidationRecord;
  /** Controller aborted when the run is abandoned: a wait for the camera ends and the run stores nothing more. */
  abort: AbortController;
  work: Promise<void>;
}

/** After abandoning, how long shutdown waits for the runs to notice before the database closes. */
const ABANDON_GRACE_MS = 1_000;

/** Resolves true when `promise` settles within `ms`, false otherwise. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs validations in the background, one list of named steps per run: connectivity → image
 * quality → recognition → verification. Progress is stored after every stage, so the status
 * route shows it while the run goes on; a stage after a failed one is skipped with the reason.
 */
export class ValidationRunner {
  private readonly active = new Set<ActiveRun>();
  private readonly logger: Logger;
  private closing = false;

  constructor(private readonly deps: RunnerDeps) {
    this.logger = deps.logger.child({ module: 'installation-validation' });
  }

  /**
   * Starts run `record.run` of an installation already moved to `validating`; returns at once.
   * During shutdown the run is abandoned instead, so the session does not stay `validating`.
   */
  start(installation: InstallationRow, record: ValidationRecord): void {
    const active: ActiveRun = { installationId: installation.id, record, abort: new AbortController(), work: Promise.resolve() };
    const work = this.closing ? this.abandon(active) : this.run(installation, record, active.abort.signal);
    active.work = work.catch((error: unknown) => this.logRunError(active, error)).finally(() => this.active.delete(active));
    this.active.add(active);
  }

  /** Resolves when every run started so far has finished. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.active].map((active) => active.work));
  }

  /**
   * Waits up to `timeoutMs` for the running validations, then marks those still running as
   * abandoned: failed, with a `validation_abandoned` check, so their sessions may be validated
   * again at once. Runs requested after this call are abandoned as they start.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    this.closing = true;
    if (await settlesWithin(this.idle(), timeoutMs)) return;

    const left = [...this.active];
    this.logger.warn({ runs: left.length, timeoutMs }, 'validations still running at shutdown are abandoned');
    const abandoning = left.map((active) =>
      this.abandon(active).catch((error: unknown) => this.logger.error({ err: error, installationId: active.installationId, run: active.record.run }, 'abandoned validation not stored')),
    );
    await Promise.all(abandoning);
    await settlesWithin(this.idle(), ABANDON_GRACE_MS);
  }

  private async abandon(active: ActiveRun): Promise<void> {
    // A run whose stages have all finished is only storing its result: let it.
    const record = abandonedRecord(active.record, new Date());
    if (!record) return;
    active.abort.abort();

    const { installationId } = active;
    const saved = await this.deps.installations.saveValidation(installationId, record.run, record, 'validation_failed');
    if (!saved) return;

    const failedStage = record.stages.find((stage) => stage.status === 'failed')?.name ?? null;
    await this.deps.events.record(installationId, 'validation_finished', { kind: 'system' }, { run: record.run, result: 'abandoned', reason: ABANDONED_REASON, failed_stage: failedStage, duration_ms: record.durationMs });
    this.logger.warn({ installationId, run: record.run, stage: failedStage }, 'validation abandoned at shutdown');
  }

  private logRunError(active: ActiveRun, error: unknown): void {
    const ids = { installationId: active.installationId, run: active.record.run };
    if (active.abort.signal.aborted) {
      this.logger.debug({ err: error, ...ids }, 'abandoned validation run stopped');
      return;
    }
    if (error instanceof RunOvertaken) {
      this.logger.info(ids, 'validation run overtaken; results dropped');
      return;
    }
    this.logger.error({ err: error, ...ids }, 'validation run failed');
  }

  private async run(installation: InstallationRow, record: ValidationRecord, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    const meter = await this.deps.meters.findById(installation.meterId);
    if (!meter) throw new Error(`meter ${installation.meterId} of installation ${installation.id} no longer exists`);

    const context: StageContext = { installation, meter, run: record.run, expectedValue: record.expectedValue, confirmedSerial: record.confirmedSerial, image: null, reading: null, signal };
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
    await this.save(installation.id, record, signal, failedStage ? 'validation_failed' : 'validated');
    await this.deps.events.record(installation.id, 'validation_finished', { kind: 'system' }, { run: record.run, result: record.status, failed_stage: failedStage, duration_ms: record.durationMs });
    this.logger.info({ installationId: installation.id, run: record.run, result: record.status, failedStage, durationMs: record.durationMs }, 'validation finished');
  }

  private async runStage(stage: StageRecord, context: StageContext, record: ValidationRecord): Promise<void> {
    const started = performance.now();
    stage.status = 'running';
    stage.startedAt = new Date().toISOString();
    await this.save(context.installation.id, record, context.signal);

    stage.checks = await STAGES[stage.name](context, this.deps).catch((error: unknown) => [this.internalErrorCheck(stage.name, context, error)]);
    stage.status = stageStatusOf(stage.checks);
    stage.finishedAt = new Date().toISOString();
    stage.durationMs = Math.round(performance.now() - started);
    await this.save(context.installation.id, record, context.signal);

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

  private async save(installationId: string, record: ValidationRecord, signal: AbortSignal, status?: 'validated' | 'validation_failed'): Promise<void> {
    if (signal.aborted) throw new RunOvertaken(`validation run ${record.run} of installation ${installationId} was abandoned`);
    const saved = await this.deps.installations.saveValidation(installationId, record.run, structuredClone(record), status);
    if (!saved) throw new RunOvertaken(`installation ${installationId} left validation run ${record.run}`);
  }
}
