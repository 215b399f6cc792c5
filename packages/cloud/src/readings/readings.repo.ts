import { and, count, desc, eq, gte, lt, type Column, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import type { Page, PageResult } from '../http/pagination.ts';

export type ReadingRow = Database['tables']['readings']['$inferSelect'];
export type NewReading = Database['tables']['readings']['$inferInsert'];

/** Optional narrowing of a reading list: one status, captures in [since, until). */
export interface ReadingFilter {
  status?: ReadingRow['status'];
  since?: Date;
  until?: Date;
}

/** The columns a reading filter reads, present in every table with the reading result columns. */
type ReadingColumns = { status: Column; capturedAt: Column };

/** Builds the conditions of `filter` on a table with the reading result columns (readings, unassigned readings). */
export function readingFilterConditions(table: ReadingColumns, filter: ReadingFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.status) conditions.push(eq(table.status, filter.status));
  if (filter.since) conditions.push(gte(table.capturedAt, filter.since));
  if (filter.until) conditions.push(lt(table.capturedAt, filter.until));
  return conditions;
}

/** Stored readings, each id once. */
export class ReadingsRepo {
  constructor(private readonly database: Database) {}

  /**
   * Inserts a reading unless one with the same id exists (a redelivered message): returns true
   * when this call stored it. Uses INSERT … ON CONFLICT DO NOTHING on both dialects.
   */
  async insertOnce(reading: NewReading): Promise<boolean> {
    const { readings } = this.database.tables;
    const inserted = await this.database.db.insert(readings).values(reading).onConflictDoNothing({ target: readings.id }).returning({ id: readings.id });
    return inserted.length > 0;
  }

  async exists(id: string): Promise<boolean> {
    const { readings } = this.database.tables;
    const [row] = await this.database.db.select({ id: readings.id }).from(readings).where(eq(readings.id, id));
    return row !== undefined;
  }

  async findForMeter(meterId: number, id: string): Promise<ReadingRow | null> {
    const { readings } = this.database.tables;
    const [row] = await this.database.db.select().from(readings).where(and(eq(readings.meterId, meterId), eq(readings.id, id)));
    return row ?? null;
  }

  /** Lists readings of one meter, newest capture first, ties by id so pages are stable. */
  async listForMeter(meterId: number, page: Page, filter: ReadingFilter = {}): Promise<PageResult<ReadingRow>> {
    const { readings } = this.database.tables;
    const where = and(eq(readings.meterId, meterId), ...readingFilterConditions(readings, filter));

    const items = await this.database.db
      .select()
      .from(readings)
      .where(where)
      .orderBy(desc(readings.capturedAt), desc(readings.id))
      .limit(page.limit)
      .offset(page.offset);
    const [total] = await this.database.db.select({ value: count() }).from(readings).where(where);
    return { items, total: total?.value ?? 0 };
  }

  async latestForMeter(meterId: number): Promise<ReadingRow | null> {
    const { readings } = this.database.tables;
    const [row] = await this.database.db
      .select()
      .from(readings)
      .where(eq(readings.meterId, meterId))
      .orderBy(desc(readings.capturedAt), desc(readings.id))
      .limit(1);
    return row ?? null;
  }

  /** Returns the latest accepted reading, which plausibility checks compare against. */
  async latestAccepted(meterId: number): Promise<ReadingRow | null> {
    const { readings } = this.database.tables;
    const [row] = await this.database.db
      .select()
      .from(readings)
      .where(and(eq(readings.meterId, meterId), eq(readings.status, 'accepted')))
      .orderBy(desc(readings.capturedAt), desc(readings.id))
      .limit(1);
    return row ?? null;
  }
}
