import type { Logger } from 'pino';

/** Default pause before the first summary line of an outage: one minute. */
const FIRST_SUMMARY_AFTER_MS = 60_000;
/** Default upper bound of the doubling pause between summary lines: 15 minutes. */
const MAX_SUMMARY_INTERVAL_MS = 900_000;

export interface OutageLogOptions {
  logger: Logger;
  /** Name of the failing connection in summary lines, for example `broker connection`. */
  subject: string;
  /** Pause before the first summary line of an outage in ms; each later pause doubles. Default 60 000. */
  firstSummaryAfterMs?: number;
  /** Upper bound of the pause between summary lines in ms. Default 900 000 (15 minutes). */
  maxSummaryIntervalMs?: number;
  now?: () => number;
}

/** One failed attempt: `kind` groups repeats (an errno code or an HTTP status), `fields` carry the error and the advice. */
export interface FailedAttempt {
  kind: string;
  message: string;
  fields: Record<string, unknown>;
}

/** Length of an outage that just ended. */
export interface OutageSummary {
  downForMs: number;
  failedAttempts: number;
}

/**
 * Rate-limits the log of a connection that keeps failing, so a device that retries every few
 * seconds for days does not fill its journal. The first failure of an outage and the first of
 * each new kind are logged at once at warn. Repeats are counted and logged at debug only. A
 * summary line with the count follows after `firstSummaryAfterMs`, then after doubling pauses.
 */
export class OutageLog {
  readonly #logger: Logger;
  readonly #subject: string;
  readonly #firstSummaryAfterMs: number;
  readonly #maxSummaryIntervalMs: number;
  readonly #now: () => number;
  #since: number | null = null;
  #kinds = new Set<string>();
  #failedAttempts = 0;
  #unreported = 0;
  #summaryIntervalMs = 0;
  #nextSummaryAt = 0;

  constructor(options: OutageLogOptions) {
    this.#logger = options.logger;
    this.#subject = options.subject;
    this.#firstSummaryAfterMs = options.firstSummaryAfterMs ?? FIRST_SUMMARY_AFTER_MS;
    this.#maxSummaryIntervalMs = options.maxSummaryIntervalMs ?? MAX_SUMMARY_INTERVAL_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Opens an outage without a failed attempt (a connection that dropped); returns false when one was open. */
  begin(): boolean {
    if (this.#since !== null) return false;

    const now = this.#now();
    this.#since = now;
    this.#summaryIntervalMs = this.#firstSummaryAfterMs;
    this.#nextSummaryAt = now + this.#summaryIntervalMs;
    return true;
  }

  /** Counts a failed attempt and logs it when it is the first of its kind or a summary is due. */
  failure(attempt: FailedAttempt): void {
    this.begin();
    this.#failedAttempts += 1;

    if (!this.#kinds.has(attempt.kind)) {
      this.#kinds.add(attempt.kind);
      this.#logger.warn(attempt.fields, attempt.message);
      return;
    }

    this.#unreported += 1;
    const now = this.#now();
    if (now < this.#nextSummaryAt) {
      this.#logger.debug(attempt.fields, attempt.message);
      return;
    }

    this.#logger.warn(
      { ...attempt.fields, failedAttempts: this.#unreported, downForMs: now - this.#since! },
      `${this.#subject} still failing; ${this.#unreported} failed attempts since the last line`,
    );
    this.#unreported = 0;
    this.#summaryIntervalMs = Math.min(this.#summaryIntervalMs * 2, this.#maxSummaryIntervalMs);
    this.#nextSummaryAt = now + this.#summaryIntervalMs;
  }

  /** Closes the outage; returns its length for the caller's recovery line, or null when none was open. */
  recovered(): OutageSummary | null {
    if (this.#since === null) return null;

    const summary = { downForMs: this.#now() - this.#since, failedAttempts: this.#failedAttempts };
    this.#since = null;
    this.#kinds.clear();
    this.#failedAttempts = 0;
    this.#unreported = 0;
    return summary;
  }
}
