import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Principal } from '../access/principal.ts';
import { authenticateAccessToken, revokeAccessToken } from '../auth/authenticate.ts';
import { InvalidTokenError, signAccessToken } from '../auth/tokens.ts';
import type { UserRow } from '../auth/users.repo.ts';
import type { AppDeps } from '../http/context.ts';

/**
 * Cookie carrying the dashboard session: the same signed access token `POST /token` returns.
 * The API never reads it (API routes take `Authorization: Bearer` only), so a request that
 * carries only the cookie, such as a forged cross-site one, cannot call the API.
 */
export const SESSION_COOKIE = 'mv_session';

/** True when the browser reached us over https, directly or through a TLS-terminating proxy. */
export function isHttps(c: Context): boolean {
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  if (forwarded) return forwarded === 'https';
  return new URL(c.req.url).protocol === 'https:';
}

/**
 * Signs an access token for `user` and stores it in an HttpOnly, SameSite=Lax cookie that
 * expires with the token; `Secure` is set when the request came over https.
 */
export async function startSession(c: Context, deps: AppDeps, user: UserRow): Promise<void> {
  const token = await signAccessToken(deps.tokens, user.id, user.username);
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: isHttps(c),
    path: '/',
    maxAge: deps.tokens.expiresInSeconds,
  });
}

/**
 * Revokes the session cookie's token server-side, so a copy of the cookie stops working too, and
 * clears the cookie. A missing, invalid or expired token leaves nothing to revoke. A token
 * without `jti` cannot be revoked and stays valid until it expires. Returns the signed-out user's
 * id, or null when the cookie named no valid token.
 */
export async function endSession(c: Context, deps: AppDeps): Promise<number | null> {
  const token = getCookie(c, SESSION_COOKIE);
  const userId = token ? await revokeSessionToken(deps, token) : null;
  deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Lax', secure: isHttps(c) });
  return userId;
}

async function revokeSessionToken(deps: AppDeps, token: string): Promise<number | null> {
  try {
    return (await revokeAccessToken(deps.tokens, deps.repos.revokedTokens, token)).userId;
  } catch (error) {
    if (error instanceof InvalidTokenError) return null;
    throw error;
  }
}

/**
 * Loads the signed-in user with their memberships from the session cookie. Returns null for a
 * missing, expired, forged or revoked token, for a user who was deactivated since signing in,
 * and for a session older than the user's last password change.
 */
export async function loadSession(c: Context, deps: AppDeps): Promise<Principal | null> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) return null;

  let user: UserRow;
  try {
    user = await authenticateAccessToken(deps.tokens, deps.repos, token);
  } catch (error) {
    if (error instanceof InvalidTokenError) return null;
    throw error;
  }

  const memberships = await deps.repos.memberships.listForUser(user.id);
  return { user, memberships: new Map(memberships.map((membership) => [membership.organizationId, membership.role])) };
}
