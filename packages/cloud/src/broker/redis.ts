import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { ConfigError } from '../config/env.ts';
import { redactUrl } from '../db/url.ts';

const require = createRequire(import.meta.url);

/** Minimum time between two log lines about failing Redis connections, in milliseconds. */
const ERROR_LOG_INTERVAL_MS = 60_000;

/** Default time `checkRedis` waits for the reply to PING, in milliseconds. */
export const DEFAULT_REDIS_CHECK_TIMEOUT_MS = 5_000;

/** Connection options for ioredis, from a `redis://` or `rediss://` URL. */
export function redisOptions(url: string): Record<string, unknown> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TypeError(`Invalid REDIS_URL ${JSON.stringify(redactUrl(url))}: expected redis://host:port/db or rediss://…`);
  }

  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db: Number.isInteger(db) ? db : 0,
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * Connects once to Redis and sends PING, so a wrong REDIS_URL or a stopped server fails the
 * start with a `ConfigError` within `timeoutMs`. Without it, aedes' Redis persistence retries
 * for a long time before its first command fails.
 */
export async function checkRedis(url: string, timeoutMs = DEFAULT_REDIS_CHECK_TIMEOUT_MS): Promise<void> {
  const client = new Redis({ ...redisOptions(url), lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  // connect() rejects only with "Connection is closed", so the reason comes from the error event.
  let reason: string | undefined;
  client.on('error', (error: Error) => {
    reason ??= error.message;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });

  try {
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
  } catch (error) {
    throw new ConfigError(
      `cannot connect to Redis at REDIS_URL=${redactUrl(url)}: ${(reason ?? (error as Error).message).replace(/\.$/, '')}. Check REDIS_URL and that the server runs.`,
      'REDIS_URL',
    );
  } finally {
    clearTimeout(timer);
    // A client that ended after a failed connect would keep a 2 s disconnect timer running.
    if (client.status !== 'end') client.disconnect();
  }
}

export interface RedisBackends {
  /** mqemitter-redis: messages published on one node reach subscribers on every node. */
  mq: unknown;
  /** aedes-persistence-redis: retained messages, sessions, offline queues and wills shared by all nodes. */
  persistence: RedisPersistence;
  /** Closes the three connections of backends that no broker has used; `persistence.destroy()` needs a broker. */
  disconnect(): Promise<void>;
}

interface RedisPersistence {
  destroy(): Promise<void>;
  createRetainedStreamCombi(patterns: string[]): unknown;
}

interface MQEmitterRedis {
  /** Emits `error` for failures of either connection; an `error` without a listener would end the process. */
  state: NodeJS.EventEmitter;
}

/**
 * Creates the Redis message emitter and persistence that let several aedes nodes act as one
 * broker. Connection errors after the start go to `logger` while ioredis reconnects. The
 * default logger writes to standard output.
 */
export function createRedisBackends(url: string, logger: Logger = pino({ name: 'metervision-cloud' })): RedisBackends {
  const options = redisOptions(url);
  const redisLogger = logger.child({ module: 'redis' });
  // Both packages are CommonJS; the persistence's async class is what aedes 1.x requires.
  const MQEmitterRedis = require('mqemitter-redis') as (options: Record<string, unknown>) => MQEmitterRedis;
  const AsyncRedisPersistence = require('aedes-persistence-redis/asyncPersistence.js') as new (
    options: Record<string, unknown>,
  ) => RedisPersistence;

  // The persistence keeps its connection private, so it gets one whose errors are logged here.
  const persistenceConnection = new Redis(options);
  persistenceConnection.on('error', throttledErrorLog(redisLogger, url, 'Redis connection of the broker persistence failed; reconnecting'));
  const persistence = new AsyncRedisPersistence({ conn: persistenceConnection });
  // NOTE: aedes 1.2.0 pipes the retained messages of a SUBSCRIBE as a stream, but
  // aedes-persistence-redis 11.2 returns an async generator. Wrapping it in a stream keeps
  // retained messages flowing to new subscribers.
  const retained = persistence.createRetainedStreamCombi.bind(persistence);
  persistence.createRetainedStreamCombi = (patterns) => Readable.from(retained(patterns) as AsyncIterable<unknown>);

  // mqemitter-redis turns its own pipelining on; the connections given to it get the same.
  const subConn = new Redis({ ...options, enableAutoPipelining: true });
  const pubConn = new Redis({ ...options, enableAutoPipelining: true });
  const mq = MQEmitterRedis({ ...options, subConn, pubConn });
  mq.state.on('error', throttledErrorLog(redisLogger, url, 'Redis connection of the broker message bus failed; reconnecting'));
  return {
    mq,
    persistence,
    disconnect: async () => {
      for (const connection of [persistenceConnection, subConn, pubConn]) connection.disconnect();
    },
  };
}

/**
 * Logs a connection error at most once per ERROR_LOG_INTERVAL_MS, because ioredis keeps
 * reconnecting while Redis is down and each failed attempt emits an error. `suppressed` counts the errors
 * not logged since the previous line.
 */
function throttledErrorLog(logger: Logger, url: string, message: string): (error: Error) => void {
  let lastLoggedAt = -Infinity;
  let suppressed = 0;
  return (error) => {
    const now = Date.now();
    if (now - lastLoggedAt < ERROR_LOG_INTERVAL_MS) {
      suppressed++;
      return;
    }

    logger.error({ err: error.message, url: redactUrl(url), suppressed }, message);
    lastLoggedAt = now;
    suppressed = 0;
  };
}
