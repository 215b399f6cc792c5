import { and, eq, gt, isNotNull, isNull, lte, notExists, or } from 'drizzle-orm';
import type { DeviceRow } from '../devices/devices.repo.ts';
import type { Db } from '../db/database.ts';
import { conflict } from '../http/errors.ts';
import type { WorkflowDeps } from './context.ts';

/**
 * Returns the camera row for a new session in organization `organizationId`, registering a new
 * camera id in that organization. A camera id registered to another organization moves to this
 * one only while it is unclaimed there (see `takeOverUnclaimed`). Otherwise the start fails with
 * 409, so a camera that paired keeps its binding.
 */
export async function bindSessionDevice(deps: WorkflowDeps, deviceId: string, organizationId: number): Promise<DeviceRow> {
  const device = await deps.repos.devices.ensureRegistered(deviceId, organizationId);
  if (device.organizationId === organizationId) return device;

  const takeover = await deps.database.transaction((tx) => takeOverUnclaimed(deps, tx, device, organizationId));
  if (!takeover) throw conflict(`Device ${deviceId} is registered to another organization: check the id on the camera's label`);

  for (const sessionId of takeover.lapsedSessionIds) {
    await deps.events.record(sessionId, 'cancelled', { kind: 'system' }, { reason: 'pairing_code_expired' });
  }
  deps.logger.info({ deviceId, fromOrganizationId: device.organizationId, toOrganizationId: organizationId, lapsedSessionIds: takeover.lapsedSessionIds }, 'unpaired camera released to another organization');
  return takeover.device;
}

/**
 * Moves a camera row to organization `organizationId` when its current organization never got
 * it working. That means it never received credentials, is bound to no meter and sent no
 * heartbeat or reading. Also, none of its sessions paired or has a pairing code that can still
 * be redeemed (the code of a revoked, cancelled or expired session cannot). Its sessions still
 * awaiting pairing with an expired code are closed as cancelled. Returns null when the camera is
 * still claimed.
 */
async function takeOverUnclaimed(deps: WorkflowDeps, tx: Db, device: DeviceRow, organizationId: number): Promise<{ device: DeviceRow; lapsedSessionIds: string[] } | null> {
  const { devices, installations, deviceHeartbeats, readings, unassignedReadings } = deps.database.tables;
  const now = new Date();
  const claimingSession = tx
    .select({ id: installations.id })
    .from(installations)
    .where(and(eq(installations.deviceId, device.id), or(isNotNull(installations.pairedAt), and(eq(installations.status, 'awaiting_pairing'), gt(installations.pairingExpiresAt, now)))));
  const anyHeartbeat = tx.select({ id: deviceHeartbeats.deviceId }).from(deviceHeartbeats).where(eq(deviceHeartbeats.deviceId, device.id));
  const anyReading = tx.select({ id: readings.id }).from(readings).where(eq(readings.deviceId, device.id));
  const anyUnassignedReading = tx.select({ id: unassignedReadings.id }).from(unassignedReadings).where(eq(unassignedReadings.deviceId, device.id));

  const [moved] = await tx
    .update(devices)
    .set({ organizationId, status: 'never_seen', lastSeenAt: null, revokedAt: null })
    .where(
      and(
        eq(devices.id, device.id),
        eq(devices.organizationId, device.organizationId),
        isNull(devices.credentialIssuedAt),
        isNull(devices.meterId),
        notExists(claimingSession),
        notExists(anyHeartbeat),
        notExists(anyReading),
        notExists(anyUnassignedReading),
      ),
    )
    .returning();
  if (!moved) return null;

  const lapsed = await tx
    .update(installations)
    .set({ status: 'cancelled', updatedAt: now })
    .where(and(eq(installations.deviceId, device.id), eq(installations.organizationId, device.organizationId), eq(installations.status, 'awaiting_pairing'), lte(installations.pairingExpiresAt, now)))
    .returning({ id: installations.id });
  return { device: moved, lapsedSessionIds: lapsed.map((row) => row.id) };
}
