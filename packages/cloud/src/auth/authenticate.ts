import type { RevokedTokensRepo } from './revoked-tokens.repo.ts';
import type { AccessTokenClaims, TokenSettings } from './tokens.ts';
import { InvalidTokenError, verifyAccessTokenClaims } from './tokens.ts';
import type { UserRow, UsersRepo } from './users.repo.ts';

/** The stored state an access token is checked against besides its signature. */
export interface TokenStores {
  users: UsersRepo;
  revokedTokens: RevokedTokensRepo;
}

/**
 * Verifies an access token and loads its user. Raises InvalidTokenError when the token is
 * invalid, expired or revoked, or when its user no longer exists or is inactive. It also raises it
 * when the token was issued at or before the user's `tokensValidAfter`, which a password change
 * or a deactivation sets. Tokens without an id (`jti`) cannot be revoked one by one.
 *
 * NOTE: the issue time comes from the clock of the node that signed the token and the cut-off from
 * the node that changed the user, so clock skew between nodes shifts the cut-off by that much.
 */
export async function authenticateAccessToken(settings: TokenSettings, stores: TokenStores, token: string): Promise<UserRow> {
  const { userId, issuedAtMs, tokenId } = await verifyAccessTokenClaims(settings, token);

  if (tokenId !== null && (await stores.revokedTokens.isRevoked(tokenId))) {
    throw new InvalidTokenError(`token ${tokenId} of user ${userId} was revoked`);
  }

  const user = await stores.users.findById(userId);
  if (!user || !user.isActive) throw new InvalidTokenError(`user ${userId} does not exist or is inactive`);
  if (user.tokensValidAfter !== null && issuedAtMs <= user.tokensValidAfter.getTime()) {
    throw new InvalidTokenError(`token of user ${userId} was issued before the user's sessions were ended`);
  }
  return user;
}

/**
 * Verifies an access token and revokes it until it expires, so `authenticateAccessToken` rejects
 * it from then on. Returns its claims. A token without `jti` (`tokenId` null) is not stored and
 * stays valid until it expires. Raises InvalidTokenError for an invalid or expired token.
 */
export async function revokeAccessToken(settings: TokenSettings, revokedTokens: RevokedTokensRepo, token: string): Promise<AccessTokenClaims> {
  const claims = await verifyAccessTokenClaims(settings, token);
  if (claims.tokenId === null) return claims;

  await revokedTokens.revoke(claims.tokenId, new Date(claims.expiresAtMs));
  return claims;
}
