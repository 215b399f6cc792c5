import { and, asc, count, eq, inArray, type SQL } from 'drizzle-orm';
import type { MeterLayout, PlausibilityRules } from '@metervision/protocol';
import type { Database } from '../db/database.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { conflict, notFound } from '../http/errors.ts';
import type { Page, PageResult } from '../http/pagination.ts';
import type { AssetsRepo } from './assets.repo.ts';
import { assetLevel } from './levels.ts';

export type MeterRow = Database['tables']['meters']['$inferSelect'];

export interface NewMeter {
  organizationId: number;
  placeId: number;
  serialNumber: string;
  name?: string | null;
  meterType: string;
  unit: string;
  status?: string;
  layout?: MeterLayout | null;
  plausibility?: PlausibilityRules | null;
}

export type MeterChanges = Partial<Pick<NewMeter, 'name' | 'meterType' | 'unit' | 'status' | 'layout' | 'plausibility'>>;

/** Meters, the leaves of the asset hierarchy, found by their serial number. */
export class MetersRepo {
  constructor(
    private readonly database: Database,
    private readonly assets: AssetsRepo,
  ) {}

  /** Inserts a meter under a place of the same organization; a taken serial number raises 409. */
  async create(meter: NewMeter): Promise<MeterRow> {
    const place = await this.assets.findById(assetLevel('place'), meter.placeId);
    if (!place || place.organizationId !== meter.organizationId) {
      throw notFound(`Place ${meter.placeId} in organization ${meter.organizationId}`);
    }

    const { meters } = this.database.tables;
    try {
      const [row] = await this.database.db.insert(meters).values(meter).returning();
      return row!;
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`A meter with serial number ${JSON.stringify(meter.serialNumber)} already exists`);
      throw error;
    }
  }

  async findBySerial(serialNumber: string): Promise<MeterRow | null> {
    const { meters } = this.database.tables;
    const [row] = await this.database.db.select().from(meters).where(eq(meters.serialNumber, serialNumber));
    return row ?? null;
  }

  async findById(id: number): Promise<MeterRow | null> {
    const { meters } = this.database.tables;
    const [row] = await this.database.db.select().from(meters).where(eq(meters.id, id));
    return row ?? null;
  }

  async update(id: number, changes: MeterChanges): Promise<MeterRow> {
    const { meters } = this.database.tables;
    const [row] = await this.database.db
      .update(meters)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(meters.id, id))
      .returning();
    return row!;
  }

  /** Lists meters of the given organizations (null: all), optionally of one place, by id. */
  async list(organizationIds: number[] | null, placeId: number | undefined, page: Page): Promise<PageResult<MeterRow>> {
    if (organizationIds !== null && organizationIds.length === 0) return { items: [], total: 0 };

    const { meters } = this.database.tables;
    const conditions: SQL[] = [];
    if (organizationIds !== null) conditions.push(inArray(meters.organizationId, organizationIds));
    if (placeId !== undefined) conditions.push(eq(meters.placeId, placeId));
    const where = conditions.length > 0 ? and(...conditions) : undefined;

    const items = await this.database.db.select().from(meters).where(where).orderBy(asc(meters.id)).limit(page.limit).offset(page.offset);
    const [total] = await this.database.db.select({ value: count() }).from(meters).where(where);
    return { items, total: total?.value ?? 0 };
  }

  async organizationOf(serialNumber: string): Promise<number | null> {
    const { meters } = this.database.tables;
    const [row] = await this.database.db.select({ organizationId: meters.organizationId }).from(meters).where(eq(meters.serialNumber, serialNumber));
    return row?.organizationId ?? null;
  }
}
