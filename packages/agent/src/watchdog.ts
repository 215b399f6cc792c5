import { execFile } from 'node:child_process';
import type { Logger } from 'pino';

/**
 * systemd notifications (sd_notify) through the `systemd-notify` command, because Node has no
 * unix datagram sockets. The unit needs `NotifyAccess=all` because the message comes from a
 * child process. Without `--no-block`, systemd-notify waits until PID 1 has processed the
 * message, so it is attributed to the service even though the child exits right after
 * (systemd-notify(1), systemd 252).
 *
 * Does nothing when `NOTIFY_SOCKET` is unset (not started by systemd with Type=notify).
 */
export class SystemdNotifier {
  readonly #logger: Logger;
  readonly #enabled: boolean;
  readonly #env: NodeJS.ProcessEnv;
  #timer: NodeJS.Timeout | null = null;
  /** Half of `WATCHDOG_USEC` in milliseconds, as sd_watchdog_enabled(3) advises; null without a watchdog. */
  readonly watchdogIntervalMs: number | null;

  constructor(logger: Logger, env: NodeJS.ProcessEnv = process.env) {
    this.#logger = logger;
    this.#env = env;
    this.#enabled = Boolean(env.NOTIFY_SOCKET);
    this.watchdogIntervalMs = watchdogInterval(env);
  }

  ready(): void {
    this.#send(['--ready', '--status=capturing']);
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
    execFile('systemd-notify', args, { timeout: 5_000, env: { ...process.env, ...this.#env } }, (error) => {
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
