import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Computes the device clock minus the server's clock in milliseconds from an HTTP response's
 * `Date` header (RFC 9110 §6.6.1, whole seconds), taken at the midpoint of the request. Returns
 * null without a usable header.
 */
export function skewFromDateHeader(dateHeader: string | null, sentAt: number, receivedAt: number): number | null {
  if (!dateHeader) return null;

  const serverMs = Date.parse(dateHeader);
  if (Number.isNaN(serverMs)) return null;
  // The header is truncated to the second: compare with the middle of that second.
  return Math.round((sentAt + receivedAt) / 2 - (serverMs + 500));
}

/**
 * Returns whether systemd reports the clock as synchronised (NTPSynchronized, from timesyncd or
 * chrony); null when `timedatectl` is missing or fails.
 */
export async function isClockSynchronized(): Promise<boolean | null> {
  try {
    const { stdout } = await run('timedatectl', ['show', '--property=NTPSynchronized', '--value'], { timeout: 5_000 });
    const value = stdout.trim();
    if (value === 'yes') return true;
    if (value === 'no') return false;
    return null;
  } catch {
    return null;
  }
}
