import type { TokenSettings } from './tokens.ts';
import { InvalidTokenError, verifyAccessTokenClaims } from './tokens.ts';
import type { UserRow, UsersRepo } from './users.repo.ts';

/**
 * Verifies an access token and loads its user. Raises InvalidTokenError when the token is
 * invalid or expired, when its user no longer exists or is inactive, and when it was issued at or
 * before the user's `tokensValidAfter`, which a password change or a deactivation sets.
 *
 * NOTE: the issue time comes from the clock of the node that signed the token and the cut-off from
 * the node that changed the user, so clock skew between nodes shifts the cut-off by that much.
 */
export async function authenticateAccessToken(settings: TokenSettings, users: UsersRepo, token: string): Promise<UserRow> {
  const { userId, issuedAtMs } = await verifyAccessTokenClaims(settings, token);

  const user = await users.findById(userId);
  if (!user || !user.isActive) throw new InvalidTokenError(`user ${userId} does not exist or is inactive`);
  if (user.tokensValidAfter !== null && issuedAtMs <= user.tokensValidAfter.getTime()) {
    throw new InvalidTokenError(`token of user ${userId} was issued before the user's sessions were ended`);
  }
  return user;
}
