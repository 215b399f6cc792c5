import { and, asc, count, eq, inArray } from 'drizzle-orm';
import type { MembershipRole } from '../access/roles.ts';
import type { Database, Db } from '../db/database.ts';
import type { Page, PageResult } from '../http/pagination.ts';

export type MembershipRow = Database['tables']['memberships']['$inferSelect'];

export interface MemberView {
  userId: number;
  username: string;
  fullName: string | null;
  email: string | null;
  role: MembershipRole;
  joinedAt: Date;
}

export interface UserMembershipView {
  organizationId: number;
  organizationName: string;
  role: MembershipRole;
}

/** Memberships: which user belongs to which organization, with which role. */
export class MembershipsRepo {
  constructor(private readonly database: Database) {}

  /** Adds `userId` to the organization, or changes the role of an existing membership. */
  async upsert(userId: number, organizationId: number, role: MembershipRole, tx: Db = this.database.db): Promise<{ row: MembershipRow; created: boolean }> {
    const { memberships } = this.database.tables;
    const [inserted] = await tx.insert(memberships).values({ userId, organizationId, role }).onConflictDoNothing().returning();
    if (inserted) return { row: inserted, created: true };

    const [updated] = await tx
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.userId, userId), eq(memberships.organizationId, organizationId)))
      .returning();
    return { row: updated!, created: false };
  }

  /** Removes a membership; false when there was none. */
  async remove(userId: number, organizationId: number): Promise<boolean> {
    const { memberships } = this.database.tables;
    const deleted = await this.database.db
      .delete(memberships)
      .where(and(eq(memberships.userId, userId), eq(memberships.organizationId, organizationId)))
      .returning({ id: memberships.id });
    return deleted.length > 0;
  }

  private selectMembers() {
    const { memberships, users } = this.database.tables;
    return this.database.db
      .select({
        userId: users.id,
        username: users.username,
        fullName: users.fullName,
        email: users.email,
        role: memberships.role,
        joinedAt: memberships.createdAt,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId));
  }

  async listMembers(organizationId: number, page: Page): Promise<PageResult<MemberView>> {
    const { memberships } = this.database.tables;
    const items = await this.selectMembers()
      .where(eq(memberships.organizationId, organizationId))
      .orderBy(asc(memberships.userId))
      .limit(page.limit)
      .offset(page.offset);
    const [total] = await this.database.db.select({ value: count() }).from(memberships).where(eq(memberships.organizationId, organizationId));
    return { items, total: total?.value ?? 0 };
  }

  async findMember(organizationId: number, userId: number): Promise<MemberView | null> {
    const { memberships } = this.database.tables;
    const [row] = await this.selectMembers()
      .where(and(eq(memberships.organizationId, organizationId), eq(memberships.userId, userId)));
    return row ?? null;
  }

  /** Tells whether `userId` is a member of at least one of `organizationIds`. */
  async isMemberOfAny(userId: number, organizationIds: number[]): Promise<boolean> {
    if (organizationIds.length === 0) return false;

    const { memberships } = this.database.tables;
    const [row] = await this.database.db
      .select({ id: memberships.id })
      .from(memberships)
      .where(and(eq(memberships.userId, userId), inArray(memberships.organizationId, organizationIds)))
      .limit(1);
    return row !== undefined;
  }

  /** Lists every membership of one user with the organization names, by organization id. */
  async listForUser(userId: number): Promise<UserMembershipView[]> {
    const { memberships, organizations } = this.database.tables;
    return this.database.db
      .select({ organizationId: organizations.id, organizationName: organizations.name, role: memberships.role })
      .from(memberships)
      .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
      .where(eq(memberships.userId, userId))
      .orderBy(asc(organizations.id));
  }
}
