import { createHash, randomBytes } from 'node:crypto';

/** The parameters of a `WWW-Authenticate: Digest ...` challenge (RFC 7616). */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop?: string;
  opaque?: string;
  algorithm?: string;
}

/** Parses a Digest challenge; returns null when the header offers no Digest scheme. */
export function parseDigestChallenge(header: string | null): DigestChallenge | null {
  if (!header) return null;

  const start = header.search(/digest\s/i);
  if (start < 0) return null;

  const params: Record<string, string> = {};
  const pattern = /([a-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/gi;
  for (const match of header.slice(start + 7).matchAll(pattern)) {
    params[match[1]!.toLowerCase()] = match[2] ?? match[3] ?? '';
  }

  if (params.realm === undefined || params.nonce === undefined) return null;
  return {
    realm: params.realm,
    nonce: params.nonce,
    qop: params.qop,
    opaque: params.opaque,
    algorithm: params.algorithm,
  };
}

/**
 * Builds the `Authorization: Digest ...` header that responds to `challenge` for one request.
 * Supports MD5 and SHA-256 (RFC 7616 §3.4) with `qop=auth`, and the RFC 2069 form without qop
 * that older cameras still send. `auth-int` is not supported; cameras do not ask for it.
 */
export function buildDigestAuthorization(
  challenge: DigestChallenge,
  request: { method: string; uri: string; username: string; password: string; nonceCount?: number },
): string {
  const algorithm = (challenge.algorithm ?? 'MD5').toUpperCase();
  const hashName = algorithm.startsWith('SHA-256') ? 'sha256' : 'md5';
  const hash = (text: string) => createHash(hashName).update(text).digest('hex');
  const cnonce = randomBytes(8).toString('hex');
  const nc = (request.nonceCount ?? 1).toString(16).padStart(8, '0');

  let ha1 = hash(`${request.username}:${challenge.realm}:${request.password}`);
  if (algorithm.endsWith('-SESS')) ha1 = hash(`${ha1}:${challenge.nonce}:${cnonce}`);
  const ha2 = hash(`${request.method}:${request.uri}`);
  const qop = challenge.qop?.split(',').map((value) => value.trim()).includes('auth') ? 'auth' : undefined;
  const response = qop
    ? hash(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
    : hash(`${ha1}:${challenge.nonce}:${ha2}`);

  const fields = [
    `username="${request.username}"`,
    `realm="${challenge.realm}"`,
    `nonce="${challenge.nonce}"`,
    `uri="${request.uri}"`,
    `algorithm=${challenge.algorithm ?? 'MD5'}`,
    `response="${response}"`,
  ];
  if (qop) fields.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  if (challenge.opaque !== undefined) fields.push(`opaque="${challenge.opaque}"`);
  return `Digest ${fields.join(', ')}`;
}
