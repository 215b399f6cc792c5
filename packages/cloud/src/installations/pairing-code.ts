import { createHash, randomInt } from 'node:crypto';

/**
 * Pairing codes: 8 symbols of Crockford's base32 (no I, L, O or U), shown as `K7Q2-9XMD`.
 * That is 40 bits, drawn with `crypto.randomInt`. A code is a short-lived secret: only its
 * SHA-256 is stored, it works once, and it stops working after a few wrong device ids.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 8;

/** Generates a new code, formatted `XXXX-XXXX`. */
export function generatePairingCode(): string {
  let code = '';
  for (let index = 0; index < LENGTH; index++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * Normalises a code as a person may type it: case, spaces and dashes do not matter, and the
 * letters I, L and O read as 1, 1 and 0. Returns null when it cannot be a code.
 */
export function normalizePairingCode(input: string): string | null {
  const compact = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  if (compact.length !== LENGTH) return null;
  return [...compact].every((symbol) => ALPHABET.includes(symbol)) ? compact : null;
}

/** The stored form of a normalised code. */
export function hashPairingCode(normalized: string): string {
  return `sha256$${createHash('sha256').update(normalized, 'utf8').digest('base64')}`;
}
