import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { HttpError } from './errors.ts';

/** A token bucket: `burst` attempts at once after a quiet period, then `perMinute` more each minute. */
export interface RateLimit {
  burst: number;
  perMinute: number;
}

interface Bucket {
  tokens: number;
  /** `Date.now()` of the last refill. */
  updatedAt: number;
  /** Attempts rejected since the last allowed one. */
  denials: number;
}

/** Outcome of a rate-limited attempt. */
export type Decision = { allowed: true } | { allowed: false; retryAfterSeconds: number; denialsInRow: number };

/** Buckets kept before the full and then the oldest ones are dropped; an estimated 10 MB at most. */
const DEFAULT_MAX_KEYS = 100_000;

/**
 * In-memory token buckets, one per key (a client address, a username and address …). Each node
 * of a cluster keeps its own, so N nodes behind a load balancer allow up to N times the limit.
 * A key whose bucket has refilled takes no memory once the table is pruned.
 *
 * @example
 * const limiter = new TokenBucketLimiter({ burst: 10, perMinute: 10 });
 * const decision = limiter.take('203.0.113.7'); // { allowed: false, retryAfterSeconds: 6, … } once spent
 */
export class TokenBucketLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    readonly limit: RateLimit,
    private readonly options: { maxKeys?: number; now?: () => number } = {},
  ) {
    if (!(limit.burst >= 1) || !(limit.perMinute > 0)) {
      throw new RangeError(`Invalid rate limit ${JSON.stringify(limit)}: burst must be at least 1 and perMinute above 0`);
    }
  }

  /** Takes one token for `key` when it has one; otherwise rejects the attempt and counts it. */
  take(key: string): Decision {
    const decision = this.check(key);
    if (decision.allowed) this.charge(key);
    return decision;
  }

  /** Tells whether `key` has a token now, without taking it. A rejected attempt is counted. */
  check(key: string): Decision {
    const tokens = this.#tokensOf(key);
    if (tokens >= 1) return { allowed: true };

    // Below one token the key was charged before, so its bucket exists.
    const bucket = this.#buckets.get(key)!;
    bucket.denials++;
    return { allowed: false, retryAfterSeconds: Math.ceil(((1 - tokens) * 60) / this.limit.perMinute), denialsInRow: bucket.denials };
  }

  /**
   * Takes one token even when none is left, so the balance may go below zero. Parallel failures
   * that all passed `check` are then paid for with a longer wait.
   */
  charge(key: string): void {
    const tokens = this.#tokensOf(key) - 1;
    this.#buckets.delete(key);
    this.#buckets.set(key, { tokens, updatedAt: this.#now(), denials: 0 });
    if (this.#buckets.size > (this.options.maxKeys ?? DEFAULT_MAX_KEYS)) this.#prune();
  }

  /** Forgets `key`, so its bucket is full again (for example after a successful login). */
  reset(key: string): void {
    this.#buckets.delete(key);
  }

  /** Number of keys with a bucket in memory. */
  get size(): number {
    return this.#buckets.size;
  }

  #now(): number {
    return this.options.now?.() ?? Date.now();
  }

  #tokensOf(key: string): number {
    const bucket = this.#buckets.get(key);
    if (!bucket) return this.limit.burst;

    const refilled = ((this.#now() - bucket.updatedAt) / 60_000) * this.limit.perMinute;
    return Math.min(this.limit.burst, bucket.tokens + refilled);
  }

  /**
   * Drops the buckets that have refilled, then the least recently charged ones until the table is
   * at 90 % of its size. Dropping a bucket that is not full forgets its attempts: an attacker
   * must charge about `maxKeys` other keys first, each a failed attempt.
   */
  #prune(): void {
    for (const key of this.#buckets.keys()) {
      if (this.#tokensOf(key) >= this.limit.burst) this.#buckets.delete(key);
    }

    const target = Math.floor((this.options.maxKeys ?? DEFAULT_MAX_KEYS) * 0.9);
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= target) break;
      this.#buckets.delete(key);
    }
  }
}

/**
 * Address of the client that sent the request. With `trustedProxyHops` reverse proxies in front
 * of the cloud, each appends the address it received the request from to `X-Forwarded-For`, so
 * the client is the entry that many places from the end. Entries further left are whatever the
 * client sent and are ignored. Returns `unknown` for requests without a socket (`app.request` in
 * tests) and when the header has fewer entries than trusted hops.
 */
export function clientAddress(c: Context, trustedProxyHops: number): string {
  if (trustedProxyHops > 0) {
    const forwarded = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    return forwarded.at(-trustedProxyHops) ?? 'unknown';
  }

  // @hono/node-server passes the Node request as `env.incoming`.
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}

/**
 * Builds the 429 error for a rejected attempt, with `Retry-After` in seconds (RFC 9110, section
 * 10.2.3), and logs the rejection. Only the 1st, 10th, 100th … rejection in a row of one key is a
 * warning, so a flood of attempts does not flood the log.
 */
export function rejectAttempt(decision: Decision & { allowed: false }, detail: string, logger: Logger, ids: Record<string, unknown>): HttpError {
  const fields = { ...ids, retryAfterSeconds: decision.retryAfterSeconds, denialsInRow: decision.denialsInRow };
  if (Number.isInteger(Math.log10(decision.denialsInRow))) logger.warn(fields, 'attempt rate-limited');
  else logger.debug(fields, 'attempt rate-limited');

  const retryAfter = String(decision.retryAfterSeconds);
  return new HttpError(429, `${detail}: try again in ${retryAfter} s`, { headers: { 'Retry-After': retryAfter } });
}

/** Middleware that takes one token per request from the bucket of the client address. */
export function limitByAddress(limiter: TokenBucketLimiter, trustedProxyHops: number, detail: string, logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    const address = clientAddress(c, trustedProxyHops);
    const decision = limiter.take(address);
    if (!decision.allowed) throw rejectAttempt(decision, detail, logger, { address, path: c.req.path });
    await next();
  };
}
