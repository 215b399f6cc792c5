import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from './env.ts';

/** HS256 needs a key at least as long as its output (RFC 7518, section 3.2). */
const MIN_SECRET_BYTES = 32;

export interface JwtSecretSource {
  jwtSecret?: string;
  jwtSecretFile?: string;
  dataDir: string;
}

/**
 * Returns the JWT signing key: `jwtSecret`, else the content of `jwtSecretFile`, else the key kept
 * in `<dataDir>/jwt-secret`, generated on first start (mode 0600). Several nodes must share one
 * key, so deployments set JWT_SECRET or JWT_SECRET_FILE.
 */
export async function resolveJwtSecret(source: JwtSecretSource, logger: Logger): Promise<Uint8Array> {
  if (source.jwtSecret !== undefined) return checkedSecret(source.jwtSecret, 'JWT_SECRET');

  if (source.jwtSecretFile !== undefined) {
    const content = await readFile(source.jwtSecretFile, 'utf8').catch((error: unknown) => {
      throw new ConfigError(`Cannot read JWT_SECRET_FILE ${source.jwtSecretFile}: ${(error as Error).message}`, 'JWT_SECRET_FILE');
    });
    return checkedSecret(content.trim(), 'JWT_SECRET_FILE');
  }

  const path = join(source.dataDir, 'jwt-secret');
  const existing = await readFile(path, 'utf8').catch(() => null);
  if (existing !== null) return checkedSecret(existing.trim(), path);

  await mkdir(source.dataDir, { recursive: true });
  const generated = randomBytes(48).toString('base64url');
  await writeFile(path, `${generated}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  logger.info({ path }, 'generated a JWT signing key');
  return checkedSecret((await readFile(path, 'utf8')).trim(), path);
}

function checkedSecret(secret: string, origin: string): Uint8Array {
  const bytes = new TextEncoder().encode(secret);
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new ConfigError(`The JWT key from ${origin} is ${bytes.length} bytes long: use at least ${MIN_SECRET_BYTES}.`, origin);
  }
  return bytes;
}
