import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Outbox } from '../outbox/outbox.ts';

export interface PublisherOptions {
  /** Messages published and waiting for their PUBACK at once. */
  maxInFlight: number;
  logger: Logger;
}

/**
 * Drains the outbox into the broker at QoS 1. A message is removed from the outbox only in the
 * publish callback, which mqtt.js calls on the broker's PUBACK (MQTT 3.1.1 §4.3.2).
 *
 * When the connection drops, mqtt.js keeps the unacknowledged PUBLISH packets and sends them
 * again (DUP set) after it reconnects, then calls the same callbacks. So the publisher does not
 * publish those rows a second time. Rows it never got to stay queued in SQLite and go out on
 * the next drain. The cloud stores a reading id once, which absorbs a redelivery after a lost
 * PUBACK.
 */
export class Publisher {
  readonly #client: MqttClient;
  readonly #outbox: Outbox;
  readonly #options: PublisherOptions;
  readonly #inFlight = new Set<number>();
  readonly #idleWaiters = new Set<() => void>();
  #draining = false;
  #again = false;
  #stopped = false;

  constructor(client: MqttClient, outbox: Outbox, options: PublisherOptions) {
    this.#client = client;
    this.#outbox = outbox;
    this.#options = options;
    client.on('connect', () => this.kick());
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Publishes whatever is queued, if connected. Safe to call often. */
  kick(): void {
    if (this.#stopped) return;
    if (this.#draining) {
      this.#again = true;
      return;
    }

    this.#draining = true;
    try {
      do {
        this.#again = false;
        this.#drainOnce();
      } while (this.#again);
    } finally {
      this.#draining = false;
    }
    this.#notifyIfIdle();
  }

  /** Resolves when the outbox is empty and nothing is in flight, or after `timeoutMs`; returns whether it emptied. */
  async flush(timeoutMs: number): Promise<boolean> {
    this.kick();
    if (this.#isIdle()) return true;

    return new Promise((resolve) => {
      const done = (emptied: boolean) => {
        clearTimeout(timer);
        this.#idleWaiters.delete(onIdle);
        resolve(emptied);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#idleWaiters.add(onIdle);
    });
  }

  /** Stops publishing new rows; callbacks of rows in flight still remove them on PUBACK. */
  stop(): void {
    this.#stopped = true;
  }

  #drainOnce(): void {
    if (!this.#client.connected) return;

    const free = this.#options.maxInFlight - this.#inFlight.size;
    if (free <= 0) return;

    const candidates = this.#outbox.pending(this.#options.maxInFlight + this.#inFlight.size);
    for (const message of candidates.filter((row) => !this.#inFlight.has(row.id)).slice(0, free)) {
      this.#inFlight.add(message.id);
      this.#outbox.recordAttempt(message.id);
      this.#client.publish(message.topic, message.payload, { qos: 1 }, (error) => this.#onPublished(message.id, message.messageId, error));
    }
  }

  #onPublished(id: number, messageId: string, error: Error | undefined): void {
    this.#inFlight.delete(id);
    if (error) {
      this.#options.logger.warn({ messageId, err: error.message }, 'publish failed, kept in the outbox');
      this.#notifyIfIdle();
      return;
    }

    this.#outbox.ack(id);
    this.#options.logger.debug({ messageId }, 'PUBACK received, removed from the outbox');
    this.kick();
  }

  #isIdle(): boolean {
    return this.#inFlight.size === 0 && this.#outbox.pending(1).length === 0;
  }

  #notifyIfIdle(): void {
    if (this.#idleWaiters.size === 0 || !this.#isIdle()) return;
    for (const waiter of [...this.#idleWaiters]) waiter();
  }
}
