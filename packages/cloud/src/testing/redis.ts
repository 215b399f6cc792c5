import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { findBinary, freePort, servicesRequired, waitFor } from './services.ts';

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts redis-server on a free loopback port without persistence. Returns the reason instead
 * when the binary is missing, and throws when METERVISION_REQUIRE_SERVICES=1.
 */
export async function startTestRedis(): Promise<TestRedis | { skipped: string }> {
  const binary = findBinary('redis-server', ['/usr/bin', '/usr/local/bin']);
  if (!binary) {
    const reason = "redis-server not found (install Debian's redis-server package)";
    if (servicesRequired()) throw new Error(`${reason}; METERVISION_REQUIRE_SERVICES=1 forbids skipping`);
    return { skipped: reason };
  }

  const port = await freePort();
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitFor('redis-server', () => ping(port), 10_000);

  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolvePing) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolvePing(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolvePing(false));
  });
}
