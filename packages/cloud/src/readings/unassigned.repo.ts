import { and, count, desc, eq } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import type { Page, PageResult } from '../http/pagination.ts';
import { readingFilterConditions, type ReadingFilter } from './readings.repo.ts';

export type UnassignedReadingRow = Database['tables']['unassignedReadings']['$inferSelect'];
export type NewUnassignedReading = Database['tables']['unassignedReadings']['$inferInsert'];

/**
 * Readings a device published while it was bound to no meter. They stay attached to the device
 * and never appear among a meter's readings, not even after an installation binds the device.
 */
export class UnassignedReadingsRepo {
  constructor(private readonly database: Database) {}

  /** Inserts a reading unless its id is stored already (a redelivery); returns true when this call stored it. */
  async insertOnce(reading: NewUnassignedReading): Promise<boolean> {
    const { unassignedReadings } = this.database.tables;
    const inserted = await this.database.db
      .insert(unassignedReadings)
      .values(reading)
      .onConflictDoNothing({ target: unassignedReadings.id })
      .returning({ id: unassignedReadings.id });
    return inserted.length > 0;
  }

  async exists(id: string): Promise<boolean> {
    const { unassignedReadings } = this.database.tables;
    const [row] = await this.database.db.select({ id: unassignedReadings.id }).from(unassignedReadings).where(eq(unassignedReadings.id, id));
    return row !== undefined;
  }

  async findForDevice(deviceId: string, id: string): Promise<UnassignedReadingRow | null> {
    const { unassignedReadings } = this.database.tables;
    const [row] = await this.database.db
      .select()
      .from(unassignedReadings)
      .where(and(eq(unassignedReadings.deviceId, deviceId), eq(unassignedReadings.id, id)));
    return row ?? null;
  }

  /** Lists the unassigned readings of one device, newest capture first, ties by id so pages are stable. */
  async listForDevice(deviceId: string, page: Page, filter: ReadingFilter = {}): Promise<PageResult<UnassignedReadingRow>> {
    const { unassignedReadings } = this.database.tables;
    const where = and(eq(unassignedReadings.deviceId, deviceId), ...readingFilterConditions(unassignedReadings, filter));

    const items = await this.database.db
      .select()
      .from(unassignedReadings)
      .where(where)
      .orderBy(desc(unassignedReadings.capturedAt), desc(unassignedReadings.id))
      .limit(page.limit)
      .offset(page.offset);
    const [total] = await this.database.db.select({ value: count() }).from(unassignedReadings).where(where);
    return { items, total: total?.value ?? 0 };
  }
}
