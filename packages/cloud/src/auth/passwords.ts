import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt (RFC 7914). The stored form carries its own parameters,
 * `scrypt$<log2 N>$<r>$<p>$<salt base64>$<hash base64>`, so raising the cost later keeps old
 * hashes verifiable.
 */

/** log2 of scrypt's N. 17 (128 MiB, about 0.4 s on one 2020s core) is OWASP's minimum for r=8, p=1. */
export const DEFAULT_PASSWORD_HASH_COST = 17;

/** Range of the cost (log2 of N): below 10 a hash is too cheap to slow guessing, above 20 one takes 1 GiB. */
export const MIN_PASSWORD_HASH_COST = 10;
export const MAX_PASSWORD_HASH_COST = 20;

const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, cost: number, r: number, p: number): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes; the default cap (32 MiB) would reject N = 2^17.
  const options: ScryptOptions = { N: 2 ** cost, r, p, maxmem: 256 * 2 ** cost * r };
  return new Promise((resolvePromise, reject) => {
    scrypt(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolvePromise(key)));
  });
}

/** Hashes `password` with a fresh random salt. `cost` is log2 of N (10-20). */
export async function hashPassword(password: string, cost = DEFAULT_PASSWORD_HASH_COST): Promise<string> {
  if (!Number.isInteger(cost) || cost < MIN_PASSWORD_HASH_COST || cost > MAX_PASSWORD_HASH_COST) {
    throw new RangeError(`Invalid password hash cost ${cost}: use an integer from ${MIN_PASSWORD_HASH_COST} to ${MAX_PASSWORD_HASH_COST} (log2 of scrypt's N).`);
  }

  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, cost, BLOCK_SIZE, PARALLELISM);
  return ['scrypt', cost, BLOCK_SIZE, PARALLELISM, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Checks `password` against a stored hash in constant time; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;

  const [cost, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (![cost, r, p].every(Number.isInteger) || expected.length !== KEY_LENGTH) return false;

  const actual = await derive(password, salt, cost, r, p);
  return timingSafeEqual(actual, expected);
}
