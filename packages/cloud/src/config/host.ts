import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ConfigError } from './env.ts';

/**
 * Checks that HOST names an address the listeners can bind to: an IP address, or a name that
 * resolves. Run before the database opens, so a typo such as 999.1.1.1 fails the start at once.
 */
export async function checkHost(host: string): Promise<void> {
  if (isIP(host) !== 0) return;

  try {
    await lookup(host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(
      `Invalid HOST=${JSON.stringify(host)}: it is neither an IP address nor a name that resolves (${code}). Set HOST to an address of this machine, such as 127.0.0.1 or 0.0.0.0.`,
      'HOST',
    );
  }
}
