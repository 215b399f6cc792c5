import type { Logger } from 'pino';
import { isClockSynchronized, skewFromDateHeader } from './clock.ts';
import type { HealthState } from './heartbeat.ts';
import { buildHeartbeat, type HeartbeatInputs, httpHeartbeatAdvice, readSignalDbm, sendHttpHeartbeat } from './heartbeat.ts';
import type { DeviceLink } from './mqtt/device-link.ts';
import { OutageLog, type OutageLogOptions } from './outage-log.ts';

/** Difference to the cloud's clock above which the agent logs a warning, in milliseconds. */
const SKEW_WARNING_MS = 60_000;

export interface HealthReporterOptions {
  health: HealthState;
  firmwareVersion: string;
  intervalSeconds: number;
  /** The MQTT link, or null when the device has no broker URL. */
  link(): DeviceLink | null;
  /** Outbox figures, configuration version and schedule state for the next heartbeat. */
  figures(): Pick<HeartbeatInputs, 'outboxPending' | 'outboxDropped' | 'configVersion' | 'schedule'>;
  /** Cloud URL and device credentials for the HTTP fallback and the clock check; null parts disable them. */
  cloud(): { url: string | null; username: string; password: string | null; httpHeartbeat: boolean };
  logger: Logger;
  /** Pauses between the summary lines of failing HTTP heartbeats; defaults one minute, doubling to 15. */
  outageLog?: Pick<OutageLogOptions, 'firstSummaryAfterMs' | 'maxSummaryIntervalMs'>;
}

/**
 * Sends heartbeats over MQTT, or over HTTP once MQTT has been down for a whole interval, and
 * keeps the clock figures (skew against the cloud, NTP synchronisation) up to date.
 */
export class HealthReporter {
  readonly #options: HealthReporterOptions;
  readonly #httpOutage: OutageLog;

  constructor(options: HealthReporterOptions) {
    this.#options = options;
    this.#httpOutage = new OutageLog({ ...options.outageLog, logger: options.logger, subject: 'HTTP heartbeat' });
  }

  async sendHeartbeat(): Promise<void> {
    const options = this.#options;
    const heartbeat = buildHeartbeat({
      firmwareVersion: options.firmwareVersion,
      health: options.health,
      signalDbm: await readSignalDbm(),
      ...options.figures(),
    });

    const link = options.link();
    if (link?.connected) {
      // The MQTT link logs its own reconnect, so HTTP failures from before end without a line.
      this.#httpOutage.recovered();
      link.publish('heartbeat', heartbeat);
      return;
    }

    const cloud = options.cloud();
    const downForMs = link ? link.disconnectedForMs() : Number.POSITIVE_INFINITY;
    if (!cloud.httpHeartbeat || !cloud.url || !cloud.password) return;
    if (downForMs < options.intervalSeconds * 1_000) return;

    const result = await sendHttpHeartbeat(cloud.url, { username: cloud.username, password: cloud.password }, heartbeat);
    if (result.clockSkewMs !== null) options.health.clockSkewMs = result.clockSkewMs;
    if (!result.ok) {
      const kind = result.status === null ? (result.errorCode ?? 'network') : `HTTP ${result.status}`;
      const fields = { status: result.status, err: result.error, code: result.errorCode, advice: httpHeartbeatAdvice(result) };
      this.#httpOutage.failure({ kind, message: 'HTTP heartbeat failed', fields });
      return;
    }

    const ended = this.#httpOutage.recovered();
    if (ended) options.logger.info({ status: result.status, ...ended }, 'HTTP heartbeat works again');
    else options.logger.info({ status: result.status }, 'heartbeat sent over HTTP while MQTT is down');
  }

  /** Updates `clockSynchronized` and, with a cloud URL, `clockSkewMs` from the `Date` header of a HEAD request. */
  async checkClock(): Promise<void> {
    const { health, logger } = this.#options;
    health.clockSynchronized = await isClockSynchronized();

    const url = this.#options.cloud().url;
    if (!url) return;
    const sentAt = Date.now();
    const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(10_000) }).catch(() => null);
    const skew = skewFromDateHeader(response?.headers.get('date') ?? null, sentAt, Date.now());
    if (skew === null) return;

    health.clockSkewMs = skew;
    if (Math.abs(skew) > SKEW_WARNING_MS) logger.warn({ clockSkewMs: skew }, 'device clock differs from the cloud by more than a minute');
  }
}
