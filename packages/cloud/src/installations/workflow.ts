import { eq } from 'drizzle-orm';
import type { MeterRow } from '../assets/meters.repo.ts';
import { revokeDeviceCredentials } from '../devices/credentials.ts';
import { conflict } from '../http/errors.ts';
import type { WorkflowDeps } from './context.ts';
import { publishDeviceConfig } from './device-config.ts';
import type { Actor } from './events.repo.ts';
import type { InstallationRow } from './installations.repo.ts';
import { OPEN_STATUSES, type InstallationStatus } from './types.ts';
import { newValidationRecord } from './validation/runner.ts';

const VALIDATABLE: readonly InstallationStatus[] = ['paired', 'validated', 'validation_failed'];

export interface ValidateInput {
  userId: number;
  /** Value the installer reads on the meter now; the one given at start when absent. */
  expectedValue?: number | null;
  /** Serial number on the meter's plate; the one given at start when absent. */
  confirmedSerial?: string | null;
}

/**
 * Starts a validation run in the background and returns the session in `validating`. Allowed
 * once the camera is paired, again after each finished run, and over a run that has been
 * running longer than `validationTimeoutMs` (its node is presumed gone).
 */
export async function requestValidation(deps: WorkflowDeps, installation: InstallationRow, input: ValidateInput): Promise<InstallationRow> {
  assertValidatable(deps, installation);

  const run = installation.validationRuns + 1;
  const expectedValue = input.expectedValue ?? installation.expectedValue;
  const confirmedSerial = input.confirmedSerial ?? installation.confirmedSerial;
  const record = newValidationRecord(run, input.userId, expectedValue, confirmedSerial);
  const { installations: table } = deps.database.tables;
  const started = await deps.installations.transition(
    installation.id,
    [...VALIDATABLE, 'validating'],
    { status: 'validating', validationRuns: run, validationStartedAt: new Date(), validation: record, expectedValue, confirmedSerial },
    eq(table.validationRuns, installation.validationRuns),
  );
  if (!started) throw conflict('The installation changed while validation was requested: read its status and try again');

  await deps.events.record(installation.id, 'validation_requested', { kind: 'user', userId: input.userId }, { run, expected_value: expectedValue, meter_serial: confirmedSerial });
  deps.runner.start(started, record);
  return started;
}

function assertValidatable(deps: WorkflowDeps, installation: InstallationRow): void {
  if (installation.status === 'awaiting_pairing') {
    throw conflict('The camera is not paired yet: run `metervision-agent pair --code <code>` on it first');
  }
  if (installation.status === 'validating' && !isStale(deps, installation)) {
    throw conflict(`A validation is already running: follow it with GET /api/installations/${installation.id}/status`);
  }
  if (installation.status !== 'validating' && !VALIDATABLE.includes(installation.status)) {
    throw conflict(`The installation is ${installation.status.replace('_', ' ')} and can no longer be validated: start a new one`);
  }
}

function isStale(deps: WorkflowDeps, installation: InstallationRow): boolean {
  const startedAt = installation.validationStartedAt?.getTime() ?? 0;
  return Date.now() - startedAt > deps.settings.validationTimeoutMs;
}

/**
 * Completes the session. After a passed validation the installation and the camera become
 * active: the camera is bound to the meter, whose readings ingestion now attributes, and its
 * retained configuration is published. After a failed validation the session is closed as
 * failed with the failing checks kept.
 */
export async function completeInstallation(deps: WorkflowDeps, installation: InstallationRow, userId: number): Promise<InstallationRow> {
  if (installation.status === 'validating') throw conflict('The validation is still running: wait until the status shows its result');
  if (installation.status === 'awaiting_pairing' || installation.status === 'paired') {
    throw conflict(`The installation has not been validated: run POST /api/installations/${installation.id}/validate first`);
  }
  if (!VALIDATABLE.includes(installation.status)) throw conflict(`The installation is already ${installation.status.replace('_', ' ')}`);

  const actor: Actor = { kind: 'user', userId };
  return installation.status === 'validated' ? activate(deps, installation, actor) : fail(deps, installation, actor);
}

async function activate(deps: WorkflowDeps, installation: InstallationRow, actor: Actor & { kind: 'user' }): Promise<InstallationRow> {
  const meter = (await deps.repos.meters.findById(installation.meterId))!;
  const device = await deps.repos.devices.findById(installation.deviceId);
  const configVersion = Math.max(await deps.installations.latestConfigVersion(installation.deviceId), device?.configVersion ?? 0) + 1;

  const row = await deps.installations.transition(installation.id, ['validated'], { status: 'active', completedAt: new Date(), completedBy: actor.userId, configVersion });
  if (!row) throw conflict('The installation changed while it was being completed: read its status and try again');

  await deps.repos.devices.assignMeter(installation.deviceId, meter.id);
  if (meter.status !== 'active') await deps.repos.meters.update(meter.id, { status: 'active' });
  for (const replacedId of await deps.installations.closeOthers(meter.id, installation.deviceId, installation.id, ['active'], 'replaced')) {
    await deps.events.record(replacedId, 'replaced', actor, { replaced_by: installation.id });
  }
  await deps.events.record(installation.id, 'completed', actor, { result: 'active' });

  await configure(deps, row, meter);
  deps.logger.info({ installationId: installation.id, meterId: meter.id, deviceId: installation.deviceId, configVersion }, 'installation active');
  return row;
}

async function configure(deps: WorkflowDeps, installation: InstallationRow, meter: MeterRow): Promise<void> {
  const version = installation.configVersion!;
  if (!deps.bus) {
    await deps.events.record(installation.id, 'config_published', { kind: 'system' }, { version, published: false, reason: 'the cloud runs without an MQTT broker' });
    return;
  }

  try {
    await publishDeviceConfig(deps.bus, installation.deviceId, meter, version, installation.schedule ?? null);
    await deps.events.record(installation.id, 'config_published', { kind: 'system' }, { version, published: true });
  } catch (error) {
    deps.logger.error({ err: error, installationId: installation.id, deviceId: installation.deviceId }, 'device configuration not published');
    await deps.events.record(installation.id, 'config_published', { kind: 'system' }, { version, published: false, reason: (error as Error).message });
  }
}

async function fail(deps: WorkflowDeps, installation: InstallationRow, actor: Actor & { kind: 'user' }): Promise<InstallationRow> {
  const failedChecks = (installation.validation?.stages ?? []).flatMap((stage) => stage.checks.filter((check) => check.status === 'failed'));
  const row = await deps.installations.transition(installation.id, ['validation_failed'], { status: 'failed', completedAt: new Date(), completedBy: actor.userId, failedChecks });
  if (!row) throw conflict('The installation changed while it was being completed: read its status and try again');

  await deps.events.record(installation.id, 'completed', actor, { result: 'failed', failed_checks: failedChecks.map((check) => check.id) });
  deps.logger.info({ installationId: installation.id, failedChecks: failedChecks.map((check) => check.id) }, 'installation failed');
  return row;
}

/**
 * Revokes the camera's credentials through its session: the broker closes its connection and
 * rejects it from now on, and the session ends as revoked. Only the open or active session of a
 * camera may revoke it; pairing again issues new credentials.
 */
export async function revokeInstallation(deps: WorkflowDeps, installation: InstallationRow, userId: number): Promise<InstallationRow> {
  const row = await deps.installations.transition(installation.id, [...OPEN_STATUSES, 'active'], { status: 'revoked' });
  if (!row) throw conflict(`The installation is ${installation.status.replace('_', ' ')}: revoke the camera through its current session`);

  await revokeDeviceCredentials(deps.database, installation.deviceId);
  deps.bus?.disconnectDevice(installation.deviceId);
  await deps.events.record(installation.id, 'revoked', { kind: 'user', userId }, { device_id: installation.deviceId });
  deps.logger.info({ installationId: installation.id, deviceId: installation.deviceId, userId }, 'camera credentials revoked');
  return row;
}
