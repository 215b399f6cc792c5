import { isDevicePublishAllowed, isDeviceSubscribeAllowed, parseTopic } from '@metervision/protocol';

/** Home Assistant node ids a device may use: only `metervision_<deviceId>`, so no two devices share one. */
function homeAssistantNodeIds(deviceId: string): string[] {
  return [`metervision_${deviceId}`];
}

/**
 * Home Assistant MQTT discovery: a device may announce its own entities under
 * `homeassistant/<component>/<nodeId>/<object>/config` and publish their state below that node
 * id (see homeAssistantNodeIds).
 */
export function isHomeAssistantTopic(deviceId: string, topic: string): boolean {
  const levels = topic.split('/');
  return (
    levels.length >= 4 &&
    levels[0] === 'homeassistant' &&
    levels[1] !== '' &&
    homeAssistantNodeIds(deviceId).includes(levels[2]!) &&
    levels.slice(3).every((level) => level !== '')
  );
}

/**
 * Returns whether a retained message of device `deviceId` on `topic` serves a reader: its own
 * `status` topic (presence, and the last will) and its Home Assistant discovery config topics,
 * `homeassistant/<component>/<nodeId>/<object>/config`. Protocol v1 marks no other device topic
 * as retained (`config/report` included), and Home Assistant state topics are sent without retain.
 */
export function mayRetain(deviceId: string, topic: string): boolean {
  const parsed = parseTopic(topic);
  if (parsed) return parsed.deviceId === deviceId && parsed.kind === 'status';

  const levels = topic.split('/');
  return levels.length === 5 && levels[4] === 'config' && isHomeAssistantTopic(deviceId, topic);
}

/** Returns whether device `deviceId` may publish to `topic`: its own uplink topics and its Home Assistant topics. */
export function mayPublish(deviceId: string, topic: string): boolean {
  return isDevicePublishAllowed(deviceId, topic) || isHomeAssistantTopic(deviceId, topic);
}

/** Returns whether device `deviceId` may subscribe to `filter`: its own downlink topics only. */
export function maySubscribe(deviceId: string, filter: string): boolean {
  return isDeviceSubscribeAllowed(deviceId, filter);
}

/** Parses a MeterVision device topic; returns null for other topics (Home Assistant). */
export function deviceTopicOf(topic: string) {
  return parseTopic(topic);
}
