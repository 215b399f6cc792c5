import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** Returns true when CI requires tests to fail instead of skipping when PostgreSQL, Redis or Mosquitto is missing. */
export function servicesRequired(): boolean {
  return process.env.METERVISION_REQUIRE_SERVICES === '1';
}

/** Finds `binary` in the given folders and PATH; null when absent. */
export function findBinary(binary: string, folders: string[] = []): string | null {
  const path = (process.env.PATH ?? '').split(':').filter(Boolean);
  for (const folder of [...folders, ...path]) {
    const candidate = `${folder}/${binary}`;
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** Asks the kernel for a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Polls `check` every 100 ms until it resolves true, or fails after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}
