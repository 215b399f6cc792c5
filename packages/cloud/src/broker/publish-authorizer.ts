import type { PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import { deviceTopicOf, mayPublish } from './acl.ts';
import type { DeviceMessageHandler } from './bus.ts';
import { checkRetainedPublish } from './retained-policy.ts';
import type { RetainedTopics } from './retained-topics.ts';

export interface PublishAuthorizerDeps {
  logger: Logger;
  retained: RetainedTopics;
  onDeviceMessage: DeviceMessageHandler;
}

/**
 * Decides on one PUBLISH of an authenticated device, in aedes' authorizePublish hook (also run for
 * the device's last will): the topic ACL, then the retained message rules, then the message is
 * stored. A topic outside the ACL rejects the publish with the reason, and aedes then closes the
 * device's connection, because MQTT 3.1.1 has no negative PUBACK. A retained message that breaks
 * the retained rules loses its retain flag and is delivered like any other.
 */
export async function authorizeDevicePublish(deps: PublishAuthorizerDeps, deviceId: string, packet: PublishPacket): Promise<void> {
  const { logger } = deps;
  const { topic } = packet;
  if (!mayPublish(deviceId, topic)) {
    logger.warn({ deviceId, topic }, 'publish outside the device topics rejected');
    throw new Error(`device ${deviceId} may not publish to ${topic}`);
  }

  const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
  if (packet.retain) {
    const reason = await checkRetainedPublish(deps.retained, { deviceId, topic, payloadBytes: payload.length }).catch((error: unknown) => {
      logger.error({ deviceId, topic, err: (error as Error).message }, 'retained topic count not checked; publish rejected');
      throw error;
    });
    // The message still goes through, only unretained: closing the connection instead would put
    // a misconfigured device into a reconnect loop that also holds back its readings.
    if (reason) {
      logger.warn({ deviceId, topic, payloadBytes: payload.length, reason }, 'retain flag dropped');
      packet.retain = false;
    }
  }

  // The message is stored before aedes sends PUBACK (it acknowledges QoS 1 right after this
  // hook), so a failure here makes the device resend instead of losing the reading.
  const parsed = deviceTopicOf(topic);
  if (!parsed) return;
  const message = { deviceId, kind: parsed.kind, topic, payload, retain: packet.retain };
  await deps.onDeviceMessage(message).catch((error: unknown) => {
    logger.error({ deviceId, topic, err: (error as Error).message }, 'device message not stored; the device will resend it');
    throw error;
  });
}
