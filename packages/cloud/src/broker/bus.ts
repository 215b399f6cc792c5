import type { TopicKind } from '@metervision/protocol';

/** A message a device published on one of its MeterVision topics. */
export interface DeviceMessage {
  deviceId: string;
  kind: TopicKind;
  topic: string;
  payload: Buffer;
  retain: boolean;
}

/**
 * Handles one device message. The broker acknowledges (PUBACK) a QoS 1 message only after the
 * returned promise resolves, so a rejection makes the device send it again.
 */
export type DeviceMessageHandler = (message: DeviceMessage) => Promise<void>;

export interface PublishOptions {
  qos?: 0 | 1;
  retain?: boolean;
}

/** The MQTT side of the cloud, embedded (aedes) or external (a client of another broker). */
export interface MessageBus {
  readonly mode: 'embedded' | 'redis' | 'external';
  /** URL devices connect to; null when no listener runs here. */
  readonly url: string | null;
  /** Port of the embedded listener; null for an external broker. */
  readonly port: number | null;
  /** Publishes from the cloud, for example a device configuration or a command. */
  publish(topic: string, payload: string | Buffer, options?: PublishOptions): Promise<void>;
  /**
   * Calls `listener` for every message matching `filter` (MQTT wildcards allowed) from any
   * device on any node; returns a function that removes the subscription.
   */
  subscribe(filter: string, listener: (topic: string, payload: Buffer) => void): Promise<() => Promise<void>>;
  /** Closes the MQTT connection of a device on any node, after its credentials were revoked. */
  disconnectDevice(deviceId: string): void;
  close(): Promise<void>;
}
