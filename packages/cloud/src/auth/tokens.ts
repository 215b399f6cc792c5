import { randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';

/** Claims checked on every access token. */
export interface TokenSettings {
  /** HMAC key for HS256, at least 32 bytes. */
  secret: Uint8Array;
  issuer: string;
  audience: string;
  /** Lifetime of an access token, in seconds. */
  expiresInSeconds: number;
}

export const TOKEN_ALGORITHM = 'HS256';

/**
 * Private claim with the issue time in milliseconds since the epoch. `iat` has whole seconds only,
 * too coarse to tell a token issued just after a password change from one issued just before.
 */
const ISSUED_AT_MS_CLAIM = 'iat_ms';

/**
 * Signs an access token for user `userId`, issued at `now` (default: the current time), with a
 * random UUID as token id (`jti`) so that the token alone can be revoked.
 */
export async function signAccessToken(settings: TokenSettings, userId: number, username: string, now = new Date()): Promise<string> {
  const issuedAtSeconds = Math.floor(now.getTime() / 1000);
  return new SignJWT({ username, [ISSUED_AT_MS_CLAIM]: now.getTime() })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: 'JWT' })
    .setSubject(String(userId))
    .setJti(randomUUID())
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(issuedAtSeconds)
    .setExpirationTime(issuedAtSeconds + settings.expiresInSeconds)
    .sign(settings.secret);
}

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

/** The only subject form `signAccessToken` writes: a user id in decimal without sign or leading zero. */
const SUBJECT_PATTERN = /^[1-9][0-9]*$/;

/** The only token id form `signAccessToken` writes: a lowercase UUID. */
const TOKEN_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Parses the optional `jti` claim. Tokens signed before token ids existed have none and get null.
 */
function parseTokenId(tokenId: unknown): string | null {
  if (tokenId === undefined) return null;
  if (typeof tokenId === 'string' && TOKEN_ID_PATTERN.test(tokenId)) return tokenId;
  throw new InvalidTokenError(`token id ${JSON.stringify(tokenId)} is not a UUID`);
}

/**
 * Parses the `sub` claim as a user id. Only the canonical string is accepted, so "1.0", " 1",
 * "0x1" or the number 1 cannot name user 1 and each user has exactly one subject.
 */
function parseSubject(subject: unknown): number {
  const userId = typeof subject === 'string' && SUBJECT_PATTERN.test(subject) ? Number(subject) : Number.NaN;
  if (!Number.isSafeInteger(userId)) throw new InvalidTokenError(`token subject ${JSON.stringify(subject)} is not a user id`);
  return userId;
}

/** The claims of a verified access token that the cloud uses. */
export interface AccessTokenClaims {
  userId: number;
  /**
   * Issue time in milliseconds since the epoch. Tokens without `iat_ms` get the start of their
   * `iat` second, so they count as issued no later than they were.
   */
  issuedAtMs: number;
  /** Expiry (`exp`) in milliseconds since the epoch. */
  expiresAtMs: number;
  /** Token id (`jti`), or null for a token signed before token ids existed. */
  tokenId: string | null;
}

/**
 * Reads the issue time of a token. An `iat_ms` outside the second of `iat` cannot come from
 * `signAccessToken`, so it makes the token invalid.
 */
function parseIssuedAt(payload: JWTPayload): number {
  const fromSeconds = payload.iat! * 1000;
  const precise = payload[ISSUED_AT_MS_CLAIM];
  if (precise === undefined) return fromSeconds;

  if (typeof precise !== 'number' || !Number.isSafeInteger(precise) || Math.floor(precise / 1000) !== payload.iat) {
    throw new InvalidTokenError(`token claim ${ISSUED_AT_MS_CLAIM} ${JSON.stringify(precise)} does not match iat ${payload.iat}`);
  }
  return precise;
}

/**
 * Verifies signature, algorithm, issuer, audience and expiry, and returns the user id, the issue
 * and expiry times and the token id. Only HS256 is accepted, so `alg: none` and tokens signed
 * with another algorithm fail. Whether the user still accepts the token and whether it was revoked
 * is for `authenticateAccessToken` to check.
 */
export async function verifyAccessTokenClaims(settings: TokenSettings, token: string): Promise<AccessTokenClaims> {
  try {
    const { payload } = await jwtVerify(token, settings.secret, {
      algorithms: [TOKEN_ALGORITHM],
      issuer: settings.issuer,
      audience: settings.audience,
      requiredClaims: ['sub', 'exp', 'iat'],
    });

    return {
      userId: parseSubject(payload.sub),
      issuedAtMs: parseIssuedAt(payload),
      expiresAtMs: payload.exp! * 1000,
      tokenId: parseTokenId(payload.jti),
    };
  } catch (error) {
    if (error instanceof InvalidTokenError) throw error;
    const reason = error instanceof joseErrors.JWTExpired ? 'token expired' : 'token invalid';
    throw new InvalidTokenError(reason, { cause: error });
  }
}

/**
 * Verifies a token like `verifyAccessTokenClaims` and returns the user id only.
 *
 * NOTE: it does not check that the user still accepts the token, so a token issued before a
 * password change or a deactivation passes, and so does a revoked token. Use `authenticateAccessToken` to sign a request in.
 */
export async function verifyAccessToken(settings: TokenSettings, token: string): Promise<number> {
  return (await verifyAccessTokenClaims(settings, token)).userId;
}
