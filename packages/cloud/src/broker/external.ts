import { cloudSubscriptions } from '@metervision/protocol';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { deviceTopicOf } from './acl.ts';
import type { DeviceMessageHandler, MessageBus } from './bus.ts';
import { redactUrl } from '../db/url.ts';

export interface ExternalBrokerOptions {
  url: string;
  username?: string;
  password?: string;
  logger: Logger;
  onDeviceMessage: DeviceMessageHandler;
  /** Client id of this node; unique per node. */
  clientId: string;
}

/**
 * Shared subscription group: with several cloud nodes each device message goes to one of them
 * (MQTT 5 shared subscriptions, also supported by Mosquitto 2 and EMQX for MQTT 3.1.1 clients).
 */
const SHARE_GROUP = '$share/metervision-cloud/';
const INGESTION_SUBSCRIPTION_ID = 1;

/**
 * Connects to an external broker as the cloud's service account. The broker authenticates and
 * confines devices itself, as docs/api.md shows for Mosquitto. The cloud receives device
 * messages through a shared subscription and acknowledges each one after storing it.
 */
export async function connectExternalBroker(options: ExternalBrokerOptions): Promise<MessageBus> {
  const logger = options.logger.child({ module: 'broker', broker: 'external' });
  // MQTT 5 subscription identifiers tell which subscription a message came through: the shared
  // ingestion subscription and a listener's own one may both match, and each gets its copy.
  const listeners = new Map<number, (topic: string, payload: Buffer) => void>();
  let nextSubscriptionId = INGESTION_SUBSCRIPTION_ID + 1;

  const client: MqttClient = await mqtt.connectAsync(options.url, {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    clean: false,
    reconnectPeriod: 2_000,
    protocolVersion: 5,
  });

  // mqtt.js sends PUBACK when this callback runs, so a failed store makes the broker redeliver.
  client.handleMessage = (packet: IPublishPacket, callback) => {
    const parsed = deviceTopicOf(packet.topic);
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const ids = [packet.properties?.subscriptionIdentifier ?? []].flat();
    for (const id of ids) listeners.get(id)?.(packet.topic, payload);
    if (!parsed || !ids.includes(INGESTION_SUBSCRIPTION_ID)) return callback();

    options
      .onDeviceMessage({ deviceId: parsed.deviceId, kind: parsed.kind, topic: packet.topic, payload, retain: packet.retain })
      .then(
        () => callback(),
        (error: unknown) => {
          logger.error({ deviceId: parsed.deviceId, topic: packet.topic, err: (error as Error).message }, 'device message not stored; closing to get it redelivered');
          client.end(true, () => client.reconnect());
        },
      );
  };

  client.on('reconnect', () => logger.warn({ url: redactUrl(options.url) }, 'reconnecting to the external broker'));
  client.on('error', (error) => logger.error({ err: error.message }, 'external broker error'));

  await client.subscribeAsync(
    cloudSubscriptions.map((filter) => `${SHARE_GROUP}${filter}`),
    { qos: 1, properties: { subscriptionIdentifier: INGESTION_SUBSCRIPTION_ID } },
  );
  logger.info({ url: redactUrl(options.url), clientId: options.clientId }, 'connected to the external broker');

  return {
    mode: 'external',
    url: options.url,
    port: null,
    publish: async (topic, payload, publishOptions) => {
      await client.publishAsync(topic, payload, { qos: publishOptions?.qos ?? 1, retain: publishOptions?.retain ?? false });
    },
    subscribe: async (filter, listener) => {
      const id = nextSubscriptionId++;
      listeners.set(id, listener);
      await client.subscribeAsync(filter, { qos: 1, properties: { subscriptionIdentifier: id } });
      return async () => {
        listeners.delete(id);
        await client.unsubscribeAsync(filter);
      };
    },
    disconnectDevice: (deviceId) => {
      // NOTE: the external broker owns device connections; revoking also needs its ACL or
      // password file updated, which the cloud cannot do.
      logger.warn({ deviceId }, 'cannot disconnect a device on an external broker');
    },
    close: async () => {
      await client.endAsync();
      logger.info({ url: redactUrl(options.url) }, 'disconnected from the external broker');
    },
  };
}
