import { and, eq, inArray, max, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { OPEN_STATUSES, type InstallationStatus, type ValidationRecord } from './types.ts';

export type InstallationRow = Database['tables']['installations']['$inferSelect'];
export type NewInstallation = Database['tables']['installations']['$inferInsert'];
export type InstallationChanges = Partial<Omit<NewInstallation, 'id' | 'organizationId' | 'meterId' | 'deviceId' | 'createdAt'>>;

/** Installation sessions. Status changes are conditional updates, so two nodes never both win one. */
export class InstallationsRepo {
  constructor(private readonly database: Database) {}

  private get table() {
    return this.database.tables.installations;
  }

  async create(row: NewInstallation): Promise<InstallationRow> {
    const [created] = await this.database.db.insert(this.table).values(row).returning();
    return created!;
  }

  async findById(id: string): Promise<InstallationRow | null> {
    const [row] = await this.database.db.select().from(this.table).where(eq(this.table.id, id));
    return row ?? null;
  }

  async findByPairingCode(codeHash: string): Promise<InstallationRow | null> {
    const [row] = await this.database.db.select().from(this.table).where(eq(this.table.pairingCodeHash, codeHash));
    return row ?? null;
  }

  async organizationOf(id: string): Promise<number | null> {
    const [row] = await this.database.db.select({ organizationId: this.table.organizationId }).from(this.table).where(eq(this.table.id, id));
    return row?.organizationId ?? null;
  }

  /**
   * Applies `changes` only while the session is in one of `from`; returns the updated row, or
   * null when the status had already moved on.
   */
  async transition(id: string, from: readonly InstallationStatus[], changes: InstallationChanges, extra?: SQL): Promise<InstallationRow | null> {
    const where = and(eq(this.table.id, id), inArray(this.table.status, [...from]), extra);
    const [row] = await this.database.db
      .update(this.table)
      .set({ ...changes, updatedAt: new Date() })
      .where(where)
      .returning();
    return row ?? null;
  }

  async update(id: string, changes: InstallationChanges): Promise<InstallationRow> {
    const [row] = await this.database.db
      .update(this.table)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(this.table.id, id))
      .returning();
    return row!;
  }

  /** Counts one more wrong device id tried with the session's pairing code; returns the new count. */
  async countPairingAttempt(id: string): Promise<number> {
    const [row] = await this.database.db
      .update(this.table)
      .set({ pairingAttempts: sql`${this.table.pairingAttempts} + 1` })
      .where(eq(this.table.id, id))
      .returning({ attempts: this.table.pairingAttempts });
    return row?.attempts ?? 0;
  }

  /**
   * Stores the progress of validation run `run` while the session is still validating that run;
   * returns false when the session moved on (cancelled, or a newer run started).
   */
  async saveValidation(id: string, run: number, validation: ValidationRecord, status?: InstallationStatus): Promise<boolean> {
    const row = await this.transition(id, ['validating'], { validation, ...(status ? { status } : {}) }, eq(this.table.validationRuns, run));
    return row !== null;
  }

  /** Moves the other sessions of a meter or camera that are in `from` to `to`; returns their ids. */
  async closeOthers(meterId: number, deviceId: string, exceptId: string, from: readonly InstallationStatus[], to: InstallationStatus): Promise<string[]> {
    const rows = await this.database.db
      .update(this.table)
      .set({ status: to, updatedAt: new Date() })
      .where(and(or(eq(this.table.meterId, meterId), eq(this.table.deviceId, deviceId)), inArray(this.table.status, [...from]), ne(this.table.id, exceptId)))
      .returning({ id: this.table.id });
    return rows.map((row) => row.id);
  }

  /** Cancels the open sessions of a meter or camera, before a new one starts. */
  cancelOpen(meterId: number, deviceId: string, exceptId: string): Promise<string[]> {
    return this.closeOthers(meterId, deviceId, exceptId, OPEN_STATUSES, 'cancelled');
  }

  /** The highest configuration version published to a camera by any of its sessions; 0 when none. */
  async latestConfigVersion(deviceId: string): Promise<number> {
    const [row] = await this.database.db.select({ version: max(this.table.configVersion) }).from(this.table).where(eq(this.table.deviceId, deviceId));
    return row?.version ?? 0;
  }
}
