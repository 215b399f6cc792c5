import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../testing/run-cli.ts';

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

describe('sim camera', () => {
  it('serves until SIGTERM', async () => {
    const child = spawn(TSX, [CLI, 'camera', '--port', '0', '--start', '123.456', '--flow', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } });
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      await expect.poll(() => output, { timeout: 20_000 }).toMatch(/Virtual camera at http:\/\/127\.0\.0\.1:\d+\/capture/);

      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(output)?.[0];
      const status = (await (await fetch(`${url}/status`)).json()) as { text: string };
      expect(status.text).toBe('00123.4560');

      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('names a port in use', async () => {
    const occupant = createServer();
    await new Promise<void>((resolve) => occupant.listen(0, '127.0.0.1', resolve));
    const { port } = occupant.address() as AddressInfo;
    try {
      const { code, stderr } = await runCli(['camera', '--port', String(port)]);
      expect(code).toBe(1);
      expect(stderr).toBe(`Port ${port} on 127.0.0.1 is already in use: pick another --port, or --port 0 for a free one.\n`);
    } finally {
      await new Promise((resolve) => occupant.close(resolve));
    }
  });

  it('names a bad flag value', async () => {
    const child = spawn(TSX, [CLI, 'camera', '--flow', 'fast'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(errors).toContain('Invalid --flow "fast": expected a number.');
  });
});
