import { DEVICE_ID_PATTERN } from './ids.ts';

/**
 * MQTT topic scheme, version 1.
 *
 * Every topic is `metervision/v1/devices/{deviceId}/{kind}`. The version is part of the topic,
 * so a broker can carry two protocol versions side by side during an upgrade. Device-to-cloud
 * kinds are published by the camera, cloud-to-device kinds by the cloud.
 */
export const PROTOCOL_VERSION = 1;
export const TOPIC_ROOT = 'metervision';
export const TOPIC_PREFIX = `${TOPIC_ROOT}/v${PROTOCOL_VERSION}/devices`;

/** Topic kinds and who publishes them. */
export const TOPIC_KINDS = {
  /** Device to cloud, retained, QoS 1: `online` on connect, `offline` as the last will. */
  status: 'device',
  /** Device to cloud, QoS 0 or 1: periodic health report. */
  heartbeat: 'device',
  /** Device to cloud, QoS 1: one accepted, flagged or rejected reading. */
  readings: 'device',
  /** Device to cloud, QoS 1: a full camera image, sent on request. */
  images: 'device',
  /** Device to cloud, QoS 1: the outcome of a configuration message. */
  'config/report': 'device',
  /** Device to cloud, QoS 1: the outcome of a command. */
  'commands/result': 'device',
  /** Cloud to device, retained, QoS 1: the device configuration. */
  config: 'cloud',
  /** Cloud to device, QoS 1: capture now, send an image, reload, set the previous value. */
  commands: 'cloud',
} as const;

export type TopicKind = keyof typeof TOPIC_KINDS;
export type TopicPublisher = (typeof TOPIC_KINDS)[TopicKind];

/** Builds the topic of `kind` for one device. Throws on an invalid device id. */
export function deviceTopic(deviceId: string, kind: TopicKind): string {
  if (!DEVICE_ID_PATTERN.test(deviceId)) {
    throw new TypeError(
      `Invalid device id ${JSON.stringify(deviceId)}: use 1-64 characters of A-Z, a-z, 0-9, "-" or "_".`,
    );
  }
  return `${TOPIC_PREFIX}/${deviceId}/${kind}`;
}

/** Topic builders for one device, for example `topics.readings('cam-1')`. */
export const topics = {
  status: (deviceId: string) => deviceTopic(deviceId, 'status'),
  heartbeat: (deviceId: string) => deviceTopic(deviceId, 'heartbeat'),
  readings: (deviceId: string) => deviceTopic(deviceId, 'readings'),
  images: (deviceId: string) => deviceTopic(deviceId, 'images'),
  configReport: (deviceId: string) => deviceTopic(deviceId, 'config/report'),
  commandResult: (deviceId: string) => deviceTopic(deviceId, 'commands/result'),
  config: (deviceId: string) => deviceTopic(deviceId, 'config'),
  commands: (deviceId: string) => deviceTopic(deviceId, 'commands'),
} as const;

/** Subscription filters the cloud uses to receive what every device publishes. */
export const cloudSubscriptions: readonly string[] = Object.entries(TOPIC_KINDS)
  .filter(([, publisher]) => publisher === 'device')
  .map(([kind]) => `${TOPIC_PREFIX}/+/${kind}`);

export interface ParsedTopic {
  version: number;
  deviceId: string;
  kind: TopicKind;
}

/**
 * Parses a MeterVision topic. Returns null for any topic outside the scheme, including
 * other protocol versions, unknown kinds and invalid device ids.
 */
export function parseTopic(topic: string): ParsedTopic | null {
  const prefix = `${TOPIC_PREFIX}/`;
  if (!topic.startsWith(prefix)) return null;

  const rest = topic.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return null;

  const deviceId = rest.slice(0, slash);
  const kind = rest.slice(slash + 1);
  if (!DEVICE_ID_PATTERN.test(deviceId)) return null;
  if (!Object.hasOwn(TOPIC_KINDS, kind)) return null;

  return { version: PROTOCOL_VERSION, deviceId, kind: kind as TopicKind };
}

/**
 * Returns whether a device may publish to `topic`: only device-to-cloud kinds under its own id.
 * The broker's authorizePublish hook uses this to confine each device to its own topics.
 */
export function isDevicePublishAllowed(deviceId: string, topic: string): boolean {
  const parsed = parseTopic(topic);
  return parsed !== null && parsed.deviceId === deviceId && TOPIC_KINDS[parsed.kind] === 'device';
}

/**
 * Returns whether a device may subscribe to `filter`: only the cloud-to-device kinds under its
 * own id, written out in full (no wildcards).
 */
export function isDeviceSubscribeAllowed(deviceId: string, filter: string): boolean {
  const parsed = parseTopic(filter);
  return parsed !== null && parsed.deviceId === deviceId && TOPIC_KINDS[parsed.kind] === 'cloud';
}
