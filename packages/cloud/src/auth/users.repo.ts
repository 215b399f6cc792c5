import { asc, count, eq } from 'drizzle-orm';
import type { PlatformRole } from '../access/roles.ts';
import type { Database, Db } from '../db/database.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { conflict } from '../http/errors.ts';

export type UserRow = Database['tables']['users']['$inferSelect'];

export interface NewUser {
  username: string;
  passwordHash: string;
  fullName?: string | null;
  email?: string | null;
  platformRole?: PlatformRole;
}

/** User accounts. */
export class UsersRepo {
  constructor(private readonly database: Database) {}

  async findById(id: number): Promise<UserRow | null> {
    const { users } = this.database.tables;
    const [row] = await this.database.db.select().from(users).where(eq(users.id, id));
    return row ?? null;
  }

  async findByUsername(username: string): Promise<UserRow | null> {
    const { users } = this.database.tables;
    const [row] = await this.database.db.select().from(users).where(eq(users.username, username));
    return row ?? null;
  }

  /** Inserts a user; a taken username raises 409. `tx` runs it inside a transaction. */
  async create(user: NewUser, tx: Db = this.database.db): Promise<UserRow> {
    const { users } = this.database.tables;
    try {
      const [row] = await tx.insert(users).values(user).returning();
      return row!;
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`Username ${JSON.stringify(user.username)} is already taken`);
      throw error;
    }
  }

  /** Sets a new password hash and ends every session: tokens issued until now are rejected. */
  async setPassword(id: number, passwordHash: string): Promise<void> {
    const { users } = this.database.tables;
    await this.database.db.update(users).set({ passwordHash, tokensValidAfter: new Date() }).where(eq(users.id, id));
  }

  /**
   * Changes the given fields; undefined fields keep their value. A new password hash or
   * `isActive: false` also ends every session, so reactivating the user revives no old token.
   */
  async update(id: number, changes: Partial<Pick<UserRow, 'platformRole' | 'isActive' | 'fullName' | 'email' | 'passwordHash'>>): Promise<UserRow> {
    const { users } = this.database.tables;
    const endsSessions = changes.passwordHash !== undefined || changes.isActive === false;
    const values = endsSessions ? { ...changes, tokensValidAfter: new Date() } : changes;
    const [row] = await this.database.db.update(users).set(values).where(eq(users.id, id)).returning();
    return row!;
  }

  async setPlatformRole(id: number, platformRole: PlatformRole): Promise<void> {
    const { users } = this.database.tables;
    await this.database.db.update(users).set({ platformRole }).where(eq(users.id, id));
  }

  async list(page: { limit: number; offset: number }): Promise<{ items: UserRow[]; total: number }> {
    const { users } = this.database.tables;
    const items = await this.database.db.select().from(users).orderBy(asc(users.id)).limit(page.limit).offset(page.offset);
    const [total] = await this.database.db.select({ value: count() }).from(users);
    return { items, total: total?.value ?? 0 };
  }
}
