import { chromium, type Browser } from 'playwright-core';
import { findBinary, servicesRequired } from './services.ts';

// Without these flags Chromium keeps trying to reach outside hosts, and the machine has no
// network. playwright-core gives every launch a fresh temporary profile (user data dir).
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const chromiumPath = findBinary('chromium', ['/usr/bin']);

/** Why browser suites skip on this machine; null when Chromium is installed. Throws when CI forbids skipping. */
export const chromiumSkipReason = chromiumPath ? null : "Chromium not found at /usr/bin/chromium or on PATH (install Debian's chromium package)";
if (chromiumSkipReason && servicesRequired()) throw new Error(`${chromiumSkipReason}; METERVISION_REQUIRE_SERVICES=1 forbids skipping`);

/** Starts the machine's Chromium headless through playwright-core; call only when `chromiumSkipReason` is null. */
export function launchChromium(): Promise<Browser> {
  if (!chromiumPath) throw new Error(chromiumSkipReason!);
  return chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
}
