import { execFile } from 'node:child_process';
import type { Logger } from 'pino';

/**
 * systemd notifications (sd_notify) through the `systemd-notify` command, because Node has no
 * unix datagram sockets. The unit needs `NotifyAccess=all`: the message comes from a child
 * process, and `--pid` names the agent as its sender so systemd attributes it to the service
 * even after the child has exited.
 *
 * Does nothing when `NOTIFY_SOCKET` is unset (not started by systemd with Type=notify).
 */
export class SystemdNotifier {
  readonly #logger: Logger;
  readonly #enabled: boolean;
  #timer: NodeJS.Timeout | null = null;

  constructor(logger: Logger, env: NodeJS.ProcessEnv = process.env) {
    this.#logger = logger;
    this.#enabled = Boolean(env.NOTIFY_SOCKET);
    this.watchdogIntervalMs = watchdogInterval(env);
  }

  /** Half of `WATCHDOG_USEC` in milliseconds, as sd_watchdog_enabled(3) advises; null without a watchdog. */
  readonly watchdogIntervalMs: number | null;

  ready(): void {
    this.#send(['--ready', `--status=running`]);
  }

  stopping(): void {
    this.#send(['--stopping']);
  }

  /**
   * Pings the watchdog every half period while `healthy()` holds. A stuck cycle or a blocked
   * event loop stops the pings, and systemd restarts the service after WatchdogSec.
   */
  startWatchdog(healthy: () => boolean): void {
    if (!this.#enabled || this.watchdogIntervalMs === null) return;

    this.#timer = setInterval(() => {
      if (healthy()) this.#send(['WATCHDOG=1']);
      else this.#logger.error('agent unhealthy, not pinging the systemd watchdog');
    }, this.watchdogIntervalMs);
    this.#timer.unref();
  }

  stopWatchdog(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #send(args: string[]): void {
    if (!this.#enabled) return;
    execFile('systemd-notify', [`--pid=${process.pid}`, ...args], { timeout: 5_000 }, (error) => {
      if (error) this.#logger.warn({ err: error.message, args }, 'systemd-notify failed');
    });
  }
}

function watchdogInterval(env: NodeJS.ProcessEnv): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== process.pid) return null;
  return Math.max(1_000, Math.floor(usec / 2_000));
}
