import { type ConfigReportMessage, type CommandResultMessage, deviceTopic, encodePayload, type PayloadOf, type TopicKind, topics } from '@metervision/protocol';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { MqttSettings } from '../config/schema.ts';
import { errorMessage } from '../errors.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { connectMqtt, statusPayload } from './connection.ts';
import { Publisher } from './publisher.ts';

const SHUTDOWN_FLUSH_MS = 5_000;

export interface DeviceLinkOptions {
  deviceId: string;
  url: string;
  username: string;
  password?: string;
  settings: MqttSettings;
  outbox: Outbox;
  logger: Logger;
  /** Handles a message on the `config` topic; the returned report is published. */
  onConfig(payload: Buffer): Promise<ConfigReportMessage | null>;
  /** Handles a message on the `commands` topic; the returned result is published. */
  onCommand(payload: Buffer): Promise<CommandResultMessage | null>;
  /** Called after each (re)connect, once the subscriptions are requested. */
  onConnect(): void;
}

/**
 * The device's MQTT side: connection with last will, subscriptions to its `config` and
 * `commands` topics, the outbox publisher, and the shutdown sequence. Downlink messages are
 * handled one at a time, in arrival order.
 */
export class DeviceLink {
  readonly publisher: Publisher;
  readonly #client: MqttClient;
  readonly #options: DeviceLinkOptions;
  readonly #logger: Logger;
  #messages: Promise<unknown> = Promise.resolve();
  #disconnectedSince: number | null = Date.now();

  constructor(options: DeviceLinkOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#client = connectMqtt({ ...options, logger: options.logger.child({ module: 'mqtt' }) });
    this.publisher = new Publisher(this.#client, options.outbox, {
      maxInFlight: options.settings.maxInFlight,
      logger: options.logger.child({ module: 'publisher' }),
    });

    this.#client.on('connect', () => this.#onConnect());
    this.#client.on('close', () => {
      this.#disconnectedSince ??= Date.now();
    });
    this.#client.on('message', (topic, payload) => {
      this.#messages = this.#messages.then(() => this.#onMessage(topic, payload)).catch((error: unknown) => {
        this.#logger.error({ topic, err: errorMessage(error) }, 'message handling failed');
      });
    });
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  /** Milliseconds since the connection was lost (or since start, before the first connect); 0 while connected. */
  disconnectedForMs(now = Date.now()): number {
    return this.#disconnectedSince === null ? 0 : now - this.#disconnectedSince;
  }

  /** Publishes at QoS 1 without waiting; a failure is logged. */
  publish<K extends TopicKind>(kind: K, message: PayloadOf<K>): void {
    this.#client.publish(deviceTopic(this.#options.deviceId, kind), encodePayload(kind, message as never), { qos: 1 }, (error) => {
      if (error) this.#logger.warn({ kind, err: error.message }, 'publish failed');
    });
  }

  /** Publishes at QoS 1 and resolves on the PUBACK; throws when not connected. */
  async publishAndWait<K extends TopicKind>(kind: K, message: PayloadOf<K>): Promise<void> {
    if (!this.#client.connected) throw new Error('not connected to the broker; try again when the device is online');
    await this.#client.publishAsync(deviceTopic(this.#options.deviceId, kind), encodePayload(kind, message as never), { qos: 1 });
  }

  /** Publishes a retained message on any topic (Home Assistant discovery); a failure is logged. */
  publishRetained(topic: string, payload: string): void {
    this.#client.publish(topic, payload, { qos: 1, retain: true }, (error) => {
      if (error) this.#logger.warn({ topic, err: error.message }, 'retained message not published');
    });
  }

  /** Subscribes to `config` again, so the broker delivers the retained configuration once more. */
  async refetchConfig(): Promise<void> {
    if (!this.#client.connected) return;
    await this.#client.unsubscribeAsync(topics.config(this.#options.deviceId));
    await this.#client.subscribeAsync(topics.config(this.#options.deviceId), { qos: 1 });
  }

  /**
   * Flushes the outbox for up to 5 s, publishes a retained `offline` status with reason
   * `shutdown` and disconnects. Unsent readings stay in the outbox for the next start.
   */
  async close(): Promise<void> {
    await this.#messages;
    const client = this.#client;
    if (client.connected) {
      const emptied = await this.publisher.flush(SHUTDOWN_FLUSH_MS);
      if (!emptied) this.#logger.warn({ pending: this.#options.outbox.stats().pending }, 'outbox not empty at shutdown; it is sent after the next start');
    }
    this.publisher.stop();

    if (client.connected) {
      await withTimeout(
        client.publishAsync(topics.status(this.#options.deviceId), statusPayload('offline', 'shutdown'), { qos: 1, retain: true }),
        SHUTDOWN_FLUSH_MS,
      ).catch((error: unknown) => this.#logger.warn({ err: errorMessage(error) }, 'offline status not published'));
    }
    await client.endAsync(!client.connected);
  }

  #onConnect(): void {
    this.#disconnectedSince = null;
    const { deviceId } = this.#options;
    this.#client.subscribe([topics.config(deviceId), topics.commands(deviceId)], { qos: 1 }, (error) => {
      if (error) this.#logger.error({ err: error.message }, 'subscribing to config and commands failed');
    });
    this.#options.onConnect();
  }

  async #onMessage(topic: string, payload: Buffer): Promise<void> {
    const { deviceId } = this.#options;
    if (topic === topics.config(deviceId)) {
      const report = await this.#options.onConfig(payload);
      if (report) this.publish('config/report', report);
      return;
    }
    if (topic === topics.commands(deviceId)) {
      const result = await this.#options.onCommand(payload);
      if (result) this.publish('commands/result', result);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
