import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether tests that need a missing service must fail instead of skipping (CI sets it). */
export const REQUIRE_SERVICES = process.env.METERVISION_REQUIRE_SERVICES === '1';

export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((file) => spawnSync('test', ['-x', file]).status === 0) ?? null;

/** Returns a port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A Mosquitto broker on loopback that can be stopped and started again on the same port. */
export class MosquittoBroker {
  readonly port: number;
  readonly #dir: string;
  #process: ChildProcess | null = null;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.#dir = dir;
  }

  static async start(): Promise<MosquittoBroker> {
    if (!MOSQUITTO) throw new Error('mosquitto is not installed (apt-get install mosquitto)');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mv-mosquitto-'));
    const broker = new MosquittoBroker(await freePort(), dir);
    await broker.resume();
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Starts the broker process (again) and waits until it accepts connections. */
  async resume(): Promise<void> {
    const config = path.join(this.#dir, 'mosquitto.conf');
    // Persistence keeps the collector's session and its queued messages across a restart.
    const lines = [
      `listener ${this.port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${this.#dir}/`,
      ...(process.getuid?.() === 0 ? ['user root'] : []),
    ];
    await writeFile(config, `${lines.join('\n')}\n`);
    this.#process = spawn(MOSQUITTO!, ['-c', config], { stdio: 'ignore' });
    await waitForPort(this.port, true);
  }

  /** Stops the broker process and waits until the port is closed. */
  async stop(): Promise<void> {
    const child = this.#process;
    if (!child) return;
    this.#process = null;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    await waitForPort(this.port, false);
  }

  async close(): Promise<void> {
    await this.stop();
    await rm(this.#dir, { recursive: true, force: true });
  }
}

async function waitForPort(port: number, open: boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const isOpen = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (isOpen === open) return;
    await sleep(50);
  }
  throw new Error(`port ${port} did not ${open ? 'open' : 'close'} within ${timeoutMs} ms`);
}
