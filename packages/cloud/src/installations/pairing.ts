import { randomUUID } from 'node:crypto';
import type { Schedule } from '@metervision/protocol';
import type { MeterRow } from '../assets/meters.repo.ts';
import { issueDeviceCredentials } from '../devices/credentials.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { conflict, HttpError } from '../http/errors.ts';
import type { WorkflowDeps } from './context.ts';
import { bindSessionDevice } from './device-binding.ts';
import type { InstallationRow } from './installations.repo.ts';
import { generatePairingCode, hashPairingCode, normalizePairingCode } from './pairing-code.ts';

export interface StartInput {
  meter: MeterRow;
  deviceId: string;
  userId: number;
  schedule: Schedule | null;
}

/**
 * Starts an installation session: registers the camera in the meter's organization when it is
 * new or was left unpaired by another organization, issues a pairing code and cancels the open sessions of the same meter or camera. The
 * code is returned once; only its hash is stored.
 */
export async function startInstallation(deps: WorkflowDeps, input: StartInput): Promise<{ installation: InstallationRow; pairingCode: string }> {
  await bindSessionDevice(deps, input.deviceId, input.meter.organizationId);
  const { installation, pairingCode } = await insertWithFreshCode(deps, input);
  const actor = { kind: 'user' as const, userId: input.userId };
  for (const cancelledId of await deps.installations.cancelOpen(input.meter.id, input.deviceId, installation.id)) {
    await deps.events.record(cancelledId, 'cancelled', actor, { replaced_by: installation.id });
  }
  await deps.events.record(installation.id, 'started', actor, { meter_serial: input.meter.serialNumber, device_id: input.deviceId, pairing_expires_at: installation.pairingExpiresAt.toISOString() });
  deps.logger.info({ installationId: installation.id, meterId: input.meter.id, deviceId: input.deviceId, userId: input.userId }, 'installation started');
  return { installation, pairingCode };
}

async function insertWithFreshCode(deps: WorkflowDeps, input: StartInput): Promise<{ installation: InstallationRow; pairingCode: string }> {
  // 40 random bits make a clash rare; a clash with a stored code only costs one more attempt.
  for (let attempt = 1; ; attempt++) {
    const pairingCode = generatePairingCode();
    try {
      const installation = await deps.installations.create({
        id: randomUUID(),
        organizationId: input.meter.organizationId,
        meterId: input.meter.id,
        deviceId: input.deviceId,
        status: 'awaiting_pairing',
        pairingCodeHash: hashPairingCode(normalizePairingCode(pairingCode)!),
        pairingExpiresAt: new Date(Date.now() + deps.settings.pairingCodeTtlSeconds * 1000),
        schedule: input.schedule,
        createdBy: input.userId,
      });
      return { installation, pairingCode };
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 3) throw error;
    }
  }
}

/** Response to a redeemed code, as the contract of `POST /api/installations/pair` fixes it. */
export interface PairingResult {
  device_id: string;
  session_id: string;
  meter_serial: string;
  mqtt_url: string | null;
  mqtt_username: string;
  mqtt_password: string;
}

/**
 * Redeems a pairing code for camera `deviceId`: issues its MQTT credentials (the previous secret
 * stops working and its connection is closed) and moves the session to `paired`. A code works
 * once, until it expires, for the camera named at start only; wrong device ids are counted and
 * lock the code after `maxPairingAttempts`.
 */
export async function redeemPairingCode(deps: WorkflowDeps, code: string, deviceId: string): Promise<PairingResult> {
  const normalized = normalizePairingCode(code);
  const installation = normalized ? await deps.installations.findByPairingCode(hashPairingCode(normalized)) : null;
  if (!installation) throw new HttpError(404, 'Pairing code not found: check the code shown when the installation started');

  await assertRedeemable(deps, installation, deviceId);
  const paired = await deps.installations.transition(installation.id, ['awaiting_pairing'], { status: 'paired', pairedAt: new Date() });
  if (!paired) throw conflict('Pairing code was already used: start a new installation to get a new code');

  const issued = await issueDeviceCredentials(deps.database, deviceId);
  deps.bus?.disconnectDevice(deviceId);
  const meter = await deps.repos.meters.findById(installation.meterId);
  await deps.events.record(installation.id, 'paired', { kind: 'device', deviceId });
  deps.logger.info({ installationId: installation.id, deviceId }, 'camera paired');

  return {
    device_id: deviceId,
    session_id: installation.id,
    meter_serial: meter?.serialNumber ?? '',
    mqtt_url: deps.mqttPublicUrl,
    mqtt_username: deviceId,
    mqtt_password: issued.secret,
  };
}

async function assertRedeemable(deps: WorkflowDeps, installation: InstallationRow, deviceId: string): Promise<void> {
  if (installation.status !== 'awaiting_pairing') {
    const reason = installation.pairedAt ? 'was already used' : `belongs to a session that is ${installation.status.replace('_', ' ')}`;
    throw conflict(`Pairing code ${reason}: start a new installation to get a new code`);
  }
  if (installation.pairingExpiresAt.getTime() <= Date.now()) {
    throw conflict(`Pairing code expired at ${installation.pairingExpiresAt.toISOString()}: start a new installation to get a new code`);
  }
  // A camera left unpaired here may since have been bound to another organization's session.
  if ((await deps.repos.devices.organizationOf(installation.deviceId)) !== installation.organizationId) {
    throw conflict('Pairing code belongs to a session whose camera is no longer registered here: start a new installation');
  }
  if (installation.pairingAttempts >= deps.settings.maxPairingAttempts) {
    throw conflict('Pairing code is locked after too many attempts with a wrong device id: start a new installation');
  }

  if (installation.deviceId !== deviceId) {
    const attempts = await deps.installations.countPairingAttempt(installation.id);
    await deps.events.record(installation.id, 'pairing_rejected', { kind: 'device', deviceId }, { reason: 'device_id_mismatch', attempts });
    deps.logger.warn({ installationId: installation.id, deviceId, attempts }, 'pairing code redeemed by another device id');
    throw new HttpError(409, `Pairing code was issued for another camera than ${deviceId}: pair the camera named when the installation started`);
  }
}
