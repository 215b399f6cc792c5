import { eq, lte } from 'drizzle-orm';
import type { Database } from '../db/database.ts';

/**
 * Ids (`jti` claims) of access tokens revoked before their expiry. A row is needed only until its
 * token expires, because the expiry check rejects the token after that.
 */
export class RevokedTokensRepo {
  constructor(private readonly database: Database) {}

  /**
   * Revokes the token with id `tokenId` that expires at `expiresAt`, and first deletes the rows of
   * tokens expired at `now`, so the table holds only tokens that could still pass verification.
   * Revoking a token twice keeps the first row.
   */
  async revoke(tokenId: string, expiresAt: Date, now = new Date()): Promise<void> {
    const { revokedTokens } = this.database.tables;
    await this.prune(now);
    await this.database.db.insert(revokedTokens).values({ tokenId, expiresAt }).onConflictDoNothing();
  }

  async isRevoked(tokenId: string): Promise<boolean> {
    const { revokedTokens } = this.database.tables;
    const [row] = await this.database.db.select({ tokenId: revokedTokens.tokenId }).from(revokedTokens).where(eq(revokedTokens.tokenId, tokenId));
    return row !== undefined;
  }

  /** Deletes the rows of tokens that expired at or before `now` and returns how many it deleted. */
  async prune(now = new Date()): Promise<number> {
    const { revokedTokens } = this.database.tables;
    const deleted = await this.database.db.delete(revokedTokens).where(lte(revokedTokens.expiresAt, now)).returning({ tokenId: revokedTokens.tokenId });
    return deleted.length;
  }
}
