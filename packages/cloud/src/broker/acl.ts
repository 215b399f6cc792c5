import { isDevicePublishAllowed, isDeviceSubscribeAllowed, parseTopic } from '@metervision/protocol';

/**
 * Home Assistant MQTT discovery: a device may announce its own entities under
 * `homeassistant/<component>/metervision_<deviceId>/<object>/config` and publish their state
 * below that node id.
 */
export function isHomeAssistantTopic(deviceId: string, topic: string): boolean {
  const levels = topic.split('/');
  return levels.length >= 4 && levels[0] === 'homeassistant' && levels[1] !== '' && levels[2] === `metervision_${deviceId}` && levels.slice(3).every((level) => level !== '');
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
