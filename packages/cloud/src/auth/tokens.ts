import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';

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

/** Signs an access token for user `userId`. */
export async function signAccessToken(settings: TokenSettings, userId: number, username: string): Promise<string> {
  return new SignJWT({ username })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: 'JWT' })
    .setSubject(String(userId))
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(`${settings.expiresInSeconds}s`)
    .sign(settings.secret);
}

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

/** The only subject form `signAccessToken` writes: a user id in decimal without sign or leading zero. */
const SUBJECT_PATTERN = /^[1-9][0-9]*$/;

/**
 * Parses the `sub` claim as a user id. Only the canonical string is accepted, so "1.0", " 1",
 * "0x1" or the number 1 cannot name user 1 and each user has exactly one subject.
 */
function parseSubject(subject: unknown): number {
  const userId = typeof subject === 'string' && SUBJECT_PATTERN.test(subject) ? Number(subject) : Number.NaN;
  if (!Number.isSafeInteger(userId)) throw new InvalidTokenError(`token subject ${JSON.stringify(subject)} is not a user id`);
  return userId;
}

/**
 * Verifies signature, algorithm, issuer, audience and expiry, and returns the user id.
 * Only HS256 is accepted, so `alg: none` and tokens signed with another algorithm fail.
 */
export async function verifyAccessToken(settings: TokenSettings, token: string): Promise<number> {
  try {
    const { payload } = await jwtVerify(token, settings.secret, {
      algorithms: [TOKEN_ALGORITHM],
      issuer: settings.issuer,
      audience: settings.audience,
      requiredClaims: ['sub', 'exp', 'iat'],
    });

    return parseSubject(payload.sub);
  } catch (error) {
    if (error instanceof InvalidTokenError) throw error;
    const reason = error instanceof joseErrors.JWTExpired ? 'token expired' : 'token invalid';
    throw new InvalidTokenError(reason, { cause: error });
  }
}
