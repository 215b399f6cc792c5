import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildDigestAuthorization, parseDigestChallenge } from './digest.ts';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

describe('digest auth', () => {
  it('parses a challenge with quoted commas', () => {
    const challenge = parseDigestChallenge('Digest realm="cam, basement", qop="auth,auth-int", nonce="abc", opaque="xyz"');
    expect(challenge).toEqual({ realm: 'cam, basement', nonce: 'abc', qop: 'auth,auth-int', opaque: 'xyz', algorithm: undefined });
  });

  it('ignores a basic-only challenge', () => {
    expect(parseDigestChallenge('Basic realm="cam"')).toBeNull();
  });

  it('computes the RFC 7616 qop=auth response', () => {
    const header = buildDigestAuthorization(
      { realm: 'cam', nonce: 'n1', qop: 'auth' },
      { method: 'GET', uri: '/snap.jpg', username: 'admin', password: 'pw' },
    );
    const field = (name: string) => new RegExp(`${name}="?([^",]+)"?`).exec(header)?.[1];
    const expected = md5(`${md5('admin:cam:pw')}:n1:${field('nc')}:${field('cnonce')}:auth:${md5('GET:/snap.jpg')}`);
    expect(field('response')).toBe(expected);
  });

  it('computes the RFC 2069 response without qop', () => {
    const header = buildDigestAuthorization({ realm: 'cam', nonce: 'n1' }, { method: 'GET', uri: '/', username: 'u', password: 'p' });
    expect(header).toContain(`response="${md5(`${md5('u:cam:p')}:n1:${md5('GET:/')}`)}"`);
    expect(header).not.toContain('qop=');
  });
});
