import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redisOptions } from './redis.ts';

/**
 * The topics on which each device has a retained message, so the broker can cap how many a
 * device keeps. The record can count a topic whose message was never stored (the publish failed
 * after the claim), which only makes the cap stricter until the device clears that topic.
 */
export interface RetainedTopics {
  /**
   * Records `topic` for `deviceId` and resolves true, or resolves false without recording it
   * when the device already has `limit` other topics. A topic already recorded resolves true.
   */
  claim(deviceId: string, topic: string, limit: number): Promise<boolean>;
  /** Forgets `topic` for `deviceId`, after the device cleared it with an empty retained message. */
  release(deviceId: string, topic: string): Promise<void>;
  close(): Promise<void>;
}

/** Retained topics kept in this process, matching aedes' in-memory persistence (both start empty). */
export class MemoryRetainedTopics implements RetainedTopics {
  readonly #topics = new Map<string, Set<string>>();

  async claim(deviceId: string, topic: string, limit: number): Promise<boolean> {
    const deviceTopics = this.#topics.get(deviceId) ?? new Set<string>();
    if (deviceTopics.has(topic)) return true;
    if (deviceTopics.size >= limit) return false;

    deviceTopics.add(topic);
    this.#topics.set(deviceId, deviceTopics);
    return true;
  }

  async release(deviceId: string, topic: string): Promise<void> {
    const deviceTopics = this.#topics.get(deviceId);
    deviceTopics?.delete(topic);
    if (deviceTopics?.size === 0) this.#topics.delete(deviceId);
  }

  async close(): Promise<void> {
    this.#topics.clear();
  }
}

// Check and add in one script, so two nodes claiming for the same device at once cannot pass the limit together.
const CLAIM_SCRIPT = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
return 1
`;

/**
 * Retained topics kept in Redis, one set per device under `metervision:retained-topics:<deviceId>`,
 * shared by every node and stored in the same database as the retained messages of
 * aedes-persistence-redis, so both outlive a restart of the nodes.
 */
export class RedisRetainedTopics implements RetainedTopics {
  readonly #redis: Redis;

  constructor(url: string, logger: Logger) {
    this.#redis = new Redis(redisOptions(url));
    this.#redis.on('error', (error: Error) => logger.error({ err: error.message }, 'Redis connection for retained topic counts failed'));
  }

  async claim(deviceId: string, topic: string, limit: number): Promise<boolean> {
    const claimed = await this.#redis.eval(CLAIM_SCRIPT, 1, keyOf(deviceId), topic, limit);
    return claimed === 1;
  }

  async release(deviceId: string, topic: string): Promise<void> {
    await this.#redis.srem(keyOf(deviceId), topic);
  }

  async close(): Promise<void> {
    await this.#redis.quit();
  }
}

function keyOf(deviceId: string): string {
  return `metervision:retained-topics:${deviceId}`;
}
