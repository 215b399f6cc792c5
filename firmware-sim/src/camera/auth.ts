import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** HTTP authentication of the virtual camera, as cheap IP cameras offer it. */
export interface CameraAuth {
  /** `basic` (RFC 7617) or `digest` (RFC 7616 with MD5 and qop=auth, as IP cameras use). */
  scheme: 'basic' | 'digest';
  username: string;
  password: string;
  /** Protection space shown to the client. Default `virtual-camera`. */
  realm?: string;
}

export type AuthOutcome = { ok: true } | { ok: false; challenge: string; reason: string };

/** A digest nonce stays valid this long, in milliseconds. */
const NONCE_LIFETIME_MS = 5 * 60_000;
/** Most nonces kept at once; the oldest are forgotten first, so a flood cannot grow memory. */
const MAX_NONCES = 1_000;

/** Checks the Authorization header of each request against one username and password. */
export class Authenticator {
  private readonly realm: string;
  private readonly nonces = new Map<string, { issuedAt: number; lastCount: number }>();

  constructor(
    private readonly auth: CameraAuth,
    private readonly clock: () => number = Date.now,
  ) {
    this.realm = auth.realm ?? 'virtual-camera';
  }

  /** Returns ok, or the WWW-Authenticate challenge to send with a 401 and why the request failed. */
  check(request: IncomingMessage): AuthOutcome {
    const header = request.headers.authorization ?? '';
    if (this.auth.scheme === 'basic') return this.checkBasic(header);
    return this.checkDigest(header, request.method ?? 'GET', request.url ?? '/');
  }

  private checkBasic(header: string): AuthOutcome {
    const challenge = `Basic realm="${this.realm}", charset="UTF-8"`;
    if (!header.startsWith('Basic ')) return { ok: false, challenge, reason: 'missing Basic credentials' };

    const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = decoded.slice(0, Math.max(0, colon));
    const password = decoded.slice(colon + 1);
    if (colon < 0 || !safeEqual(username, this.auth.username) || !safeEqual(password, this.auth.password)) {
      return { ok: false, challenge, reason: 'wrong username or password' };
    }
    return { ok: true };
  }

  private checkDigest(header: string, method: string, uri: string): AuthOutcome {
    if (!header.startsWith('Digest ')) return this.digestFailure('missing Digest credentials');

    const params = parseDigestParams(header.slice('Digest '.length));
    const nonce = this.nonces.get(params.nonce ?? '');
    if (!nonce || this.clock() - nonce.issuedAt > NONCE_LIFETIME_MS) return this.digestFailure('unknown or expired nonce', true);
    if (params.username !== this.auth.username || params.realm !== this.realm) return this.digestFailure('wrong username or realm');
    if (params.uri !== uri) return this.digestFailure('uri does not match the request');
    if ((params.algorithm ?? 'MD5').toUpperCase() !== 'MD5') return this.digestFailure('only algorithm MD5 is offered');

    const ha1 = md5(`${this.auth.username}:${this.realm}:${this.auth.password}`);
    const ha2 = md5(`${method}:${uri}`);
    let expected: string;
    if (params.qop === 'auth') {
      const count = Number.parseInt(params.nc ?? '', 16);
      if (!Number.isInteger(count) || count <= nonce.lastCount) return this.digestFailure('nonce count not increasing (replay)');
      nonce.lastCount = count;
      expected = md5(`${ha1}:${params.nonce}:${params.nc}:${params.cnonce ?? ''}:auth:${ha2}`);
    } else {
      expected = md5(`${ha1}:${params.nonce}:${ha2}`);
    }

    if (!safeEqual(params.response ?? '', expected)) return this.digestFailure('wrong username or password');
    return { ok: true };
  }

  private digestFailure(reason: string, stale = false): AuthOutcome {
    const nonce = randomBytes(16).toString('hex');
    this.nonces.set(nonce, { issuedAt: this.clock(), lastCount: 0 });
    if (this.nonces.size > MAX_NONCES) {
      const oldest = this.nonces.keys().next().value;
      if (oldest !== undefined) this.nonces.delete(oldest);
    }
    const challenge =
      `Digest realm="${this.realm}", qop="auth", algorithm=MD5, nonce="${nonce}", opaque="${md5(this.realm)}"` +
      (stale ? ', stale=true' : '');
    return { ok: false, challenge, reason };
  }
}

/** Parses `key=value` and `key="quoted, value"` pairs of a Digest header (RFC 7616 section 3.4). */
export function parseDigestParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  const pattern = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (const match of text.matchAll(pattern)) {
    const key = match[1]?.toLowerCase();
    if (key) params[key] = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return params;
}

export function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

function safeEqual(received: string, expected: string): boolean {
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
