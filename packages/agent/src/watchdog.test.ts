import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from './testing/collector.ts';
import { SystemdNotifier } from './watchdog.ts';

const hasTools = spawnSync('systemd-notify', ['--version']).status === 0 && spawnSync('python3', ['--version']).status === 0;
const describeWithTools = hasTools || process.env.METERVISION_REQUIRE_SERVICES === '1' ? describe : describe.skip;
if (!hasTools) console.warn('watchdog tests skipped: systemd-notify or python3 is missing');

let dir: string;
let listener: ReturnType<typeof spawn>;
let received: string[];

describeWithTools('systemd notifier', () => {
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mv-notify-'));
    received = [];
    const script = fileURLToPath(new URL('./testing/notify-listener.py', import.meta.url));
    listener = spawn('python3', [script, path.join(dir, 'notify')], { stdio: ['ignore', 'pipe', 'inherit'] });
    listener.stdout!.on('data', (chunk: Buffer) => received.push(...chunk.toString().trim().split('\n')));
    await waitFor(() => received.includes('LISTENING'), 'the notify socket');
  });

  afterEach(async () => {
    listener.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports ready and pings the watchdog', async () => {
    const env = { NOTIFY_SOCKET: path.join(dir, 'notify'), WATCHDOG_USEC: '2000000' };
    const notifier = new SystemdNotifier(pino({ level: 'silent' }), env);
    expect(notifier.watchdogIntervalMs).toBe(1_000);

    notifier.ready();
    notifier.startWatchdog(() => true);
    await waitFor(() => received.some((line) => line.includes('WATCHDOG=1')), 'a watchdog ping', 5_000);
    notifier.stopWatchdog();
    expect(received.some((line) => line.includes('READY=1'))).toBe(true);
  });

  it('stops pinging when unhealthy', async () => {
    const env = { NOTIFY_SOCKET: path.join(dir, 'notify'), WATCHDOG_USEC: '2000000' };
    const notifier = new SystemdNotifier(pino({ level: 'silent' }), env);
    notifier.startWatchdog(() => false);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    notifier.stopWatchdog();
    expect(received.some((line) => line.includes('WATCHDOG=1'))).toBe(false);
  });

  it('does nothing outside systemd', () => {
    const notifier = new SystemdNotifier(pino({ level: 'silent' }), {});
    expect(notifier.watchdogIntervalMs).toBeNull();
  });
});
