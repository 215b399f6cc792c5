import { asc, count, eq, inArray } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { conflict } from '../http/errors.ts';
import type { Page, PageResult } from '../http/pagination.ts';

export type OrganizationRow = Database['tables']['organizations']['$inferSelect'];

/** Organizations (tenants). */
export class OrganizationsRepo {
  constructor(private readonly database: Database) {}

  async create(values: { name: string; description?: string | null }): Promise<OrganizationRow> {
    const { organizations } = this.database.tables;
    try {
      const [row] = await this.database.db.insert(organizations).values(values).returning();
      return row!;
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`An organization named ${JSON.stringify(values.name)} already exists`);
      throw error;
    }
  }

  async findById(id: number): Promise<OrganizationRow | null> {
    const { organizations } = this.database.tables;
    const [row] = await this.database.db.select().from(organizations).where(eq(organizations.id, id));
    return row ?? null;
  }

  /** Lists organizations by id; `ids` null lists all of them. */
  async list(ids: number[] | null, page: Page): Promise<PageResult<OrganizationRow>> {
    const { organizations } = this.database.tables;
    if (ids !== null && ids.length === 0) return { items: [], total: 0 };

    const where = ids === null ? undefined : inArray(organizations.id, ids);
    const items = await this.database.db
      .select()
      .from(organizations)
      .where(where)
      .orderBy(asc(organizations.id))
      .limit(page.limit)
      .offset(page.offset);
    const [total] = await this.database.db.select({ value: count() }).from(organizations).where(where);
    return { items, total: total?.value ?? 0 };
  }
}
