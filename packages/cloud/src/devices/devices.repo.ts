import { and, asc, count, eq, inArray, lt } from 'drizzle-orm';
import type { DeviceError, HeartbeatMessage } from '@metervision/protocol';
import type { Database } from '../db/database.ts';
import type { Page, PageResult } from '../http/pagination.ts';

export type DeviceRow = Database['tables']['devices']['$inferSelect'];
export type DeviceHeartbeatRow = Database['tables']['deviceHeartbeats']['$inferSelect'];

/** Health fields a heartbeat updates. */
export interface DeviceHealth {
  firmwareVersion: string;
  signalDbm: number | null;
  freeMemoryBytes: number;
  uptimeSeconds: number;
  outboxPending: number;
  configVersion: number | null;
  lastError: DeviceError | null;
}

/** Cameras registered for meters, with their health and credential state. */
export class DevicesRepo {
  constructor(private readonly database: Database) {}

  async findById(id: string): Promise<DeviceRow | null> {
    const { devices } = this.database.tables;
    const [row] = await this.database.db.select().from(devices).where(eq(devices.id, id));
    return row ?? null;
  }

  async list(organizationIds: number[] | null, page: Page): Promise<PageResult<DeviceRow>> {
    if (organizationIds !== null && organizationIds.length === 0) return { items: [], total: 0 };

    const { devices } = this.database.tables;
    const where = organizationIds === null ? undefined : inArray(devices.organizationId, organizationIds);
    const items = await this.database.db.select().from(devices).where(where).orderBy(asc(devices.id)).limit(page.limit).offset(page.offset);
    const [total] = await this.database.db.select({ value: count() }).from(devices).where(where);
    return { items, total: total?.value ?? 0 };
  }

  async organizationOf(id: string): Promise<number | null> {
    const { devices } = this.database.tables;
    const [row] = await this.database.db.select({ organizationId: devices.organizationId }).from(devices).where(eq(devices.id, id));
    return row?.organizationId ?? null;
  }

  /** Marks the device seen now, online or offline. */
  async markSeen(id: string, status: 'online' | 'offline', at = new Date()): Promise<void> {
    const { devices } = this.database.tables;
    await this.database.db.update(devices).set({ status, lastSeenAt: at }).where(eq(devices.id, id));
  }

  async recordHeartbeat(id: string, health: DeviceHealth, at = new Date()): Promise<void> {
    const { devices } = this.database.tables;
    await this.database.db
      .update(devices)
      .set({ ...health, status: 'online', lastSeenAt: at })
      .where(eq(devices.id, id));
  }

  /**
   * Stores a heartbeat that arrived over MQTT or HTTP: the health fields on the device row (now
   * online, seen now) and, in `device_heartbeats`, the latest heartbeat with the clock skew.
   */
  async saveHeartbeat(id: string, heartbeat: HeartbeatMessage, via: 'mqtt' | 'http', receivedAt = new Date()): Promise<void> {
    await this.recordHeartbeat(
      id,
      {
        firmwareVersion: heartbeat.firmwareVersion,
        signalDbm: heartbeat.signalDbm,
        freeMemoryBytes: heartbeat.freeMemoryBytes,
        uptimeSeconds: heartbeat.uptimeSeconds,
        outboxPending: heartbeat.outboxPending,
        configVersion: heartbeat.configVersion,
        lastError: heartbeat.lastError,
      },
      receivedAt,
    );

    const sentAt = new Date(heartbeat.sentAt);
    const latest = {
      receivedAt,
      sentAt,
      via,
      clockSkewMs: sentAt.getTime() - receivedAt.getTime(),
      reportedClockSkewMs: heartbeat.clockSkewMs,
      clockSynchronized: heartbeat.clockSynchronized,
      lastCaptureAt: heartbeat.lastCaptureAt ? new Date(heartbeat.lastCaptureAt) : null,
      captureFailures: heartbeat.captureFailures,
    };
    const { deviceHeartbeats } = this.database.tables;
    await this.database.db
      .insert(deviceHeartbeats)
      .values({ deviceId: id, ...latest })
      .onConflictDoUpdate({ target: deviceHeartbeats.deviceId, set: latest });
  }

  async latestHeartbeat(id: string): Promise<DeviceHeartbeatRow | null> {
    const { deviceHeartbeats } = this.database.tables;
    const [row] = await this.database.db.select().from(deviceHeartbeats).where(eq(deviceHeartbeats.deviceId, id));
    return row ?? null;
  }

  /**
   * Registers device `id` in an organization without credentials (pairing issues them later);
   * returns the stored row, which may be an existing one of any organization.
   */
  async ensureRegistered(id: string, organizationId: number): Promise<DeviceRow> {
    const { devices } = this.database.tables;
    await this.database.db.insert(devices).values({ id, organizationId }).onConflictDoNothing({ target: devices.id });
    return (await this.findById(id))!;
  }

  /** Binds the device to a meter: ingestion attributes its readings to that meter from now on. */
  async assignMeter(id: string, meterId: number): Promise<void> {
    const { devices } = this.database.tables;
    await this.database.db.update(devices).set({ meterId }).where(eq(devices.id, id));
  }

  /** Marks offline every online device not heard from since `cutoff`; returns their ids. */
  async markSilentOffline(cutoff: Date): Promise<string[]> {
    const { devices } = this.database.tables;
    const rows = await this.database.db
      .update(devices)
      .set({ status: 'offline' })
      .where(and(eq(devices.status, 'online'), lt(devices.lastSeenAt, cutoff)))
      .returning({ id: devices.id });
    return rows.map((row) => row.id);
  }
}
