import { mayRetain } from './acl.ts';
import type { RetainedTopics } from './retained-topics.ts';

/**
 * Largest retained payload a device may publish, in bytes. The edge agent's retained messages are
 * a status message (at most about 300 bytes) and Home Assistant discovery configs (about 1.3 KB
 * with a 64-character device id and meter serial), so 16 KiB leaves room for more attributes.
 */
export const MAX_RETAINED_PAYLOAD_BYTES = 16 * 1024;

/**
 * Maximum number of topics on which one device may keep a retained message at once. The edge agent
 * uses three (its status and two discovery configs), so 64 leaves room for more entities. With the
 * payload and topic caps, one device keeps at most about 64 × 16.3 KiB, just over 1 MiB, of retained
 * messages in the broker.
 */
export const MAX_RETAINED_TOPICS_PER_DEVICE = 64;

/**
 * Maximum topic length of a retained message, in bytes. The broker keeps the topic with the message, so
 * without it 64 topics of 60 KB each would outweigh the payload cap. The agent's longest discovery
 * topic is about 110 bytes with a 64-character device id.
 */
export const MAX_RETAINED_TOPIC_BYTES = 256;

export interface RetainedLimits {
  /** Largest retained payload in bytes. Default MAX_RETAINED_PAYLOAD_BYTES. */
  maxPayloadBytes: number;
  /** Maximum number of topics with a retained message per device. Default MAX_RETAINED_TOPICS_PER_DEVICE. */
  maxTopics: number;
}

export const DEFAULT_RETAINED_LIMITS: RetainedLimits = { maxPayloadBytes: MAX_RETAINED_PAYLOAD_BYTES, maxTopics: MAX_RETAINED_TOPICS_PER_DEVICE };

/**
 * Checks a retained publish of device `deviceId` that the topic ACL already allowed, and returns
 * why it must be rejected, or null when it may go on. Nothing on the cloud broker subscribes to a
 * device's Home Assistant topics, so every retained message there only takes memory (or Redis
 * space) until the device clears it. An empty payload clears a retained message and is accepted
 * on any topic where retaining is allowed.
 */
export async function checkRetainedPublish(
  retained: RetainedTopics,
  publish: { deviceId: string; topic: string; payloadBytes: number },
  limits: RetainedLimits = DEFAULT_RETAINED_LIMITS,
): Promise<string | null> {
  const { deviceId, topic, payloadBytes } = publish;
  if (!mayRetain(deviceId, topic)) {
    return 'retained messages are accepted only on the device status topic and Home Assistant discovery config topics. Publish without retain instead';
  }

  if (payloadBytes === 0) {
    await retained.release(deviceId, topic);
    return null;
  }
  if (Buffer.byteLength(topic) > MAX_RETAINED_TOPIC_BYTES) {
    return `retained topic of ${Buffer.byteLength(topic)} bytes is over the limit of ${MAX_RETAINED_TOPIC_BYTES} bytes`;
  }
  if (payloadBytes > limits.maxPayloadBytes) {
    return `retained payload of ${payloadBytes} bytes is over the limit of ${limits.maxPayloadBytes} bytes`;
  }

  if (!(await retained.claim(deviceId, topic, limits.maxTopics))) {
    return `the device already has retained messages on ${limits.maxTopics} topics, the maximum. Clear one with an empty retained message first`;
  }
  return null;
}
