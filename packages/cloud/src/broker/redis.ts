import { createRequire } from 'node:module';
import { Readable } from 'node:stream';

const require = createRequire(import.meta.url);

/** Connection options for ioredis, from a `redis://` or `rediss://` URL. */
export function redisOptions(url: string): Record<string, unknown> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TypeError(`Invalid REDIS_URL ${JSON.stringify(url)}: expected redis://host:port/db or rediss://…`);
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

export interface RedisBackends {
  /** mqemitter-redis: messages published on one node reach subscribers on every node. */
  mq: unknown;
  /** aedes-persistence-redis: retained messages, sessions, offline queues and wills shared by all nodes. */
  persistence: RedisPersistence;
}

interface RedisPersistence {
  destroy(): Promise<void>;
  createRetainedStreamCombi(patterns: string[]): unknown;
}

/** Creates the Redis message emitter and persistence that let several aedes nodes act as one broker. */
export function createRedisBackends(url: string): RedisBackends {
  const options = redisOptions(url);
  // Both packages are CommonJS; the persistence's async class is what aedes 1.x requires.
  const MQEmitterRedis = require('mqemitter-redis') as (options: Record<string, unknown>) => unknown;
  const AsyncRedisPersistence = require('aedes-persistence-redis/asyncPersistence.js') as new (
    options: Record<string, unknown>,
  ) => RedisPersistence;

  const persistence = new AsyncRedisPersistence({ ...options });
  // NOTE: aedes 1.2.0 pipes the retained messages of a SUBSCRIBE as a stream, but
  // aedes-persistence-redis 11.2 returns an async generator. Wrapping it in a stream keeps
  // retained messages flowing to new subscribers.
  const retained = persistence.createRetainedStreamCombi.bind(persistence);
  persistence.createRetainedStreamCombi = (patterns) => Readable.from(retained(patterns) as AsyncIterable<unknown>);

  return { mq: MQEmitterRedis({ ...options }), persistence };
}
