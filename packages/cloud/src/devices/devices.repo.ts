import { asc, count, eq, inArray } from 'drizzle-orm';
import type { DeviceError } from '@metervision/protocol';
import type { Database } from '../db/database.ts';
import type { Page, PageResult } from '../http/pagination.ts';

export type DeviceRow = Database['tables']['devices']['$inferSelect'];

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
}
