import { and, asc, count, eq, inArray, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { isForeignKeyViolation } from '../db/errors.ts';
import { notFound } from '../http/errors.ts';
import type { Page, PageResult } from '../http/pagination.ts';
import { assetLevel, type AssetLevel } from './levels.ts';

/** A project, customer, building or place; `parentId` is null for projects. */
export interface AssetRow {
  id: number;
  organizationId: number;
  parentId: number | null;
  name: string;
  description: string | null;
  address: string | null;
  createdAt: Date;
}

export interface NewAsset {
  organizationId: number;
  parentId: number | null;
  name: string;
  description?: string | null;
  address?: string | null;
}

type Tables = Database['tables'];
// The four tables share id, organization_id, name, description and created_at; the parent
// column and address differ, and are reached through `columnsOf`.
type AssetTable = Tables['places'];

/** Projects, customers, buildings and places: one repository for the four levels of one shape. */
export class AssetsRepo {
  constructor(private readonly database: Database) {}

  private tableOf(level: AssetLevel): AssetTable {
    return this.database.tables[level.plural] as unknown as AssetTable;
  }

  private parentColumn(level: AssetLevel) {
    if (!level.parent) return null;
    return (this.tableOf(level) as unknown as Record<string, AssetTable['buildingId']>)[level.parent.column]!;
  }

  private toRow(level: AssetLevel, record: Record<string, unknown>): AssetRow {
    return {
      id: record.id as number,
      organizationId: record.organizationId as number,
      parentId: level.parent ? (record[level.parent.column] as number) : null,
      name: record.name as string,
      description: (record.description as string | null) ?? null,
      address: level.hasAddress ? ((record.address as string | null) ?? null) : null,
      createdAt: record.createdAt as Date,
    };
  }

  /**
   * Inserts an asset after checking that its parent exists in the same organization. A parent
   * elsewhere gets 404 like a missing one, so other tenants' ids stay hidden.
   */
  async create(level: AssetLevel, asset: NewAsset): Promise<AssetRow> {
    if (level.parent) {
      const parent = await this.findById(assetLevel(level.parent.level), asset.parentId!);
      if (!parent || parent.organizationId !== asset.organizationId) {
        throw notFound(`${capitalize(level.parent.level)} ${asset.parentId} in organization ${asset.organizationId}`);
      }
    }

    const values: Record<string, unknown> = {
      organizationId: asset.organizationId,
      name: asset.name,
      description: asset.description ?? null,
    };
    if (level.parent) values[level.parent.column] = asset.parentId;
    if (level.hasAddress) values.address = asset.address ?? null;

    try {
      const [record] = await this.database.db
        .insert(this.tableOf(level))
        .values(values as AssetTable['$inferInsert'])
        .returning();
      return this.toRow(level, record as Record<string, unknown>);
    } catch (error) {
      if (isForeignKeyViolation(error)) throw notFound(`Organization ${asset.organizationId}`);
      throw error;
    }
  }

  async findById(level: AssetLevel, id: number): Promise<AssetRow | null> {
    const table = this.tableOf(level);
    const [record] = await this.database.db.select().from(table).where(eq(table.id, id));
    return record ? this.toRow(level, record as Record<string, unknown>) : null;
  }

  /** Lists assets of the given organizations (null: all), optionally under one parent, by id. */
  async list(level: AssetLevel, organizationIds: number[] | null, parentId: number | undefined, page: Page): Promise<PageResult<AssetRow>> {
    if (organizationIds !== null && organizationIds.length === 0) return { items: [], total: 0 };

    const table = this.tableOf(level);
    const parentColumn = this.parentColumn(level);
    const conditions: SQL[] = [];
    if (organizationIds !== null) conditions.push(inArray(table.organizationId, organizationIds));
    if (parentId !== undefined && parentColumn) conditions.push(eq(parentColumn, parentId));
    const where = conditions.length > 0 ? and(...conditions) : undefined;

    const records = await this.database.db.select().from(table).where(where).orderBy(asc(table.id)).limit(page.limit).offset(page.offset);
    const [total] = await this.database.db.select({ value: count() }).from(table).where(where);
    return { items: records.map((record) => this.toRow(level, record as Record<string, unknown>)), total: total?.value ?? 0 };
  }

  /** Organization of one asset; null when it does not exist. */
  async organizationOf(level: AssetLevel, id: number): Promise<number | null> {
    const table = this.tableOf(level);
    const [record] = await this.database.db.select({ organizationId: table.organizationId }).from(table).where(eq(table.id, id));
    return record?.organizationId ?? null;
  }
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
